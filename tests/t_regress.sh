#!/bin/sh
# Runs the regress corpus (tests/regress.sh): every broken input gives its exact diagnostics.
exec sh tests/regress.sh
