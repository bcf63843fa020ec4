"""Lets the fuzzer send the raw-file bodies the API documents (contract scans and signed copies)."""

import schemathesis

schemathesis.serializer.alias(["application/pdf", "image/jpeg", "image/png"], "application/octet-stream")
