#!/bin/sh
# Builds Ember's image from an already-built `ember` binary, with no registry: the image holds
# the binary and the shared libraries `ldd` lists, FROM scratch (or BASE_IMAGE).
#
#   images/build-from-binaries.sh [TAG] [BINARY]
#   TAG defaults to ember:latest; BINARY to target/release/ember.
set -eu
tag=${1:-ember:latest}
binary=${2:-target/release/ember}
base=${BASE_IMAGE:-scratch}
[ -x "$binary" ] || { echo "no executable at $binary (cargo build --release -p ember)" >&2; exit 1; }
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/opt/ember/bin" "$context/tmp"
chmod 1777 "$context/tmp"
cp "$binary" "$context/opt/ember/bin/ember"
# ember-executor is a link to ember, which runs as the executor under that name.
ln -s ember "$context/opt/ember/bin/ember-executor"
# CA certificates: the Kubernetes client verifies the API server's TLS certificate.
for bundle in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
  if [ -f "$bundle" ]; then
    mkdir -p "$context/etc/ssl/certs"
    cp -L "$bundle" "$context/etc/ssl/certs/ca-certificates.crt"
    break
  fi
done
ldd "$binary" | awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }' | while read -r lib; do
  [ -f "$lib" ] || continue
  mkdir -p "$context$(dirname "$lib")"
  cp -L "$lib" "$context$lib"
done
docker build -q -f "$(dirname "$0")/Dockerfile.binaries" --build-arg BASE_IMAGE="$base" -t "$tag" "$context"
docker image ls "$tag"
