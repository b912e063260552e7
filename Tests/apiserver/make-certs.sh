#!/bin/sh
# Makes a throwaway PKI for the test API server in DIR: ca.{crt,key}, server.{crt,key}
# (127.0.0.1, localhost), client.{crt,key} (CN=wukong-test, O=system:masters),
# and other-ca.crt (an unrelated CA, for verification-failure tests).
set -eu
DIR=${1:?usage: make-certs.sh DIR}
mkdir -p "$DIR"
cd "$DIR"
q() { "$@" >/dev/null 2>&1 || { echo "make-certs: failed: $*" >&2; exit 1; }; }
q openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=wukong-test-ca" -keyout ca.key -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
q openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.test\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > server.ext
q openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt
q openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=wukong-test" -keyout client.key -out client.csr
printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' > client.ext
q openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext -out client.crt
q openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other-ca" -keyout other-ca.key -out other-ca.crt
rm -f server.csr client.csr server.ext client.ext ca.srl
