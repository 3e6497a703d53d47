#!/usr/bin/env bash
# Development PKI: a CA, a server certificate for localhost signed by it, and
# the Ed25519 key pair that signs development tokens. Keeps what exists.
#
#   tools/dev-certs.sh DIR
#
# Writes DIR/ca.pem, ca.key, server.pem, server.key, jwt.key, jwt.pub.
set -euo pipefail
dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

if [ ! -f ca.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -subj "/O=Hartslag development/CN=Hartslag development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem 2>/dev/null
fi
if [ ! -f server.pem ]; then
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=Hartslag development/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
    -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n') \
    -out server.pem 2>/dev/null
  rm -f server.csr
fi
if [ ! -f jwt.key ]; then
  openssl genpkey -algorithm ed25519 -out jwt.key
  openssl pkey -in jwt.key -pubout -out jwt.pub
fi
chmod 644 ca.pem server.pem jwt.pub
