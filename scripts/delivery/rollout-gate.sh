#!/usr/bin/env bash
# The pipeline's rollout check before a stage (src/Constructs/Delivery/ReleasePipeline.cs), with the environment's -c
# pairs as arguments (exactly those of a hand deploy of it): compares this commit with the commit the pipeline last
# deployed there (SSM parameter $DEPLOYED_COMMIT_PARAMETER, written after each successful stage) and stops the stage on a
# blocking finding not allowed by rollout-allowances.json (committed and reviewed: each entry names the finding and why).
# Writes ROLLOUT_SUMMARY (one line) and ROLLOUT_REPORT_URL (this build's log) as `export` lines to .rollout-gate.env, which
# the step's next command sources: CodeBuild exports them to the pipeline (the approval before prod shows them).
#
#   DEPLOYED_COMMIT_PARAMETER=/tradingplatform/delivery/prod/deployed-commit \
#     bash scripts/delivery/rollout-gate.sh -c environmentSuffix=prod -c account=444444444444 -c region=us-east-1
set -uo pipefail
cd "$(dirname "$0")/../.."

region=$(echo "${CODEBUILD_BUILD_ARN:-arn:aws:codebuild:?:?:build/?:?}" | cut -d: -f4)
account=$(echo "${CODEBUILD_BUILD_ARN:-arn:aws:codebuild:?:?:build/?:?}" | cut -d: -f5)
project=$(echo "${CODEBUILD_BUILD_ARN:-arn:aws:codebuild:?:?:build/?:?}" | cut -d: -f6 | cut -d/ -f2)
build=$(echo "${CODEBUILD_BUILD_ARN:-arn:aws:codebuild:?:?:build/?:?}" | cut -d: -f7)
ROLLOUT_REPORT_URL="https://$region.console.aws.amazon.com/codesuite/codebuild/$account/projects/$project/build/$project:$build/?region=$region"

finish() {
  # CodePipeline shows this line to the approver: keep it short.
  local summary="${1:0:400}"
  printf 'export ROLLOUT_SUMMARY=%q ROLLOUT_REPORT_URL=%q\n' "$summary" "$ROLLOUT_REPORT_URL" >.rollout-gate.env
  echo "rollout gate: $summary"
  exit "$2"
}

deployed=$(aws ssm get-parameter --name "$DEPLOYED_COMMIT_PARAMETER" --query Parameter.Value --output text) \
  || finish "cannot read $DEPLOYED_COMMIT_PARAMETER: the commit deployed there is unknown" 2
case "$deployed" in
  none)
    finish "nothing deployed yet ($DEPLOYED_COMMIT_PARAMETER is 'none'): every stack is new, nothing to compare" 0 ;;
  unrecorded)
    finish "no deployed commit recorded in $DEPLOYED_COMMIT_PARAMETER: record what the environment runs (docs/delivery.md, deploying the pipeline once)" 2 ;;
esac
[[ "$deployed" =~ ^[0-9a-f]{40}$ ]] || finish "$DEPLOYED_COMMIT_PARAMETER holds '$deployed', not a commit id" 2

. scripts/delivery/build-tools.sh
git fetch --quiet --unshallow 2>/dev/null || true
git cat-file -e "$deployed^{commit}" 2>/dev/null || git fetch --quiet origin "$deployed" || finish "commit $deployed (deployed) is not in the repository" 2
offline npm ci --no-audit --no-fund >/dev/null

report=$(mktemp)
offline npm run --silent rollout-check -- "$deployed" "$@" --allowances rollout-allowances.json 2>&1 | tee "$report"
status=${PIPESTATUS[0]}
verdict=$(grep -E '^(OK|FAIL)' "$report" | tail -1)
layers=$(grep -E '^(Layers to deploy|Nothing to deploy)' "$report" | tail -1)
finish "against ${deployed:0:12}: ${verdict:-no verdict (exit $status)} ${layers}" "$status"
