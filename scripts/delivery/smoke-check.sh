#!/usr/bin/env bash
# After a stage (src/Constructs/Delivery/ReleasePipeline.cs): the deployed API must refuse an unauthenticated POST /data,
# and API Gateway itself must be the one refusing it (401 or 403 with its x-amzn-ErrorType header), before the function
# ever runs. A 2xx, a 5xx, or a refusal from anything else fails the stage.
#
#   bash scripts/delivery/smoke-check.sh https://abc123.execute-api.us-east-1.amazonaws.com/v1/
set -euo pipefail
url=${1:?usage: smoke-check.sh <ApiUrl output of the Api stack>}
headers=$(mktemp)
code=$(curl -sS -o /dev/null -D "$headers" -w '%{http_code}' --max-time 30 -X POST "${url%/}/data" \
  -H 'content-type: application/json' --data '{"trades":[]}')
error_type=$(grep -i '^x-amzn-errortype:' "$headers" | cut -d: -f2- | tr -d ' \r' || true)
echo "smoke check: POST ${url%/}/data without credentials -> HTTP $code (x-amzn-ErrorType: ${error_type:-none})"
if [[ "$code" =~ ^40[13]$ && -n "$error_type" ]]; then
  echo "smoke check: refused by API Gateway, as it must be"
  exit 0
fi
echo "smoke check: FAILED: an unauthenticated call must be refused by API Gateway (401/403 with x-amzn-ErrorType)" >&2
exit 1
