#!/bin/sh
# Renders every case and document of samples/docket.yaml into OUTDIR and prints the paths.
# usage: sh tests/demo.sh PDGEN OUTDIR
pdgen=${1:-./pdgen} outdir=${2:-out}
exec "$pdgen" batch samples/docket.yaml -o "$outdir" --verbose
