#!/usr/bin/env bash
# After staging's and prod's deploy (src/Constructs/Delivery/ReleasePipeline.cs): for BAKE_MINUTES the environment's
# composite platform-health alarm ($HEALTH_ALARM) must not go to ALARM; it is read through the target account's CDK
# bootstrap lookup role (read-only). A stage counts as done only after its bake.
set -euo pipefail
: "${TARGET_ACCOUNT:?}" "${TARGET_REGION:?}" "${HEALTH_ALARM:?}" "${BAKE_MINUTES:?}"
role="arn:aws:iam::$TARGET_ACCOUNT:role/cdk-hnb659fds-lookup-role-$TARGET_ACCOUNT-$TARGET_REGION"
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN < <(aws sts assume-role --role-arn "$role" \
  --role-session-name "bake-${CODEBUILD_BUILD_NUMBER:-local}" --duration-seconds 3600 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION=$TARGET_REGION
end=$(( $(date +%s) + BAKE_MINUTES * 60 ))
while :; do
  state=$(aws cloudwatch describe-alarms --alarm-types CompositeAlarm --alarm-names "$HEALTH_ALARM" \
    --query 'CompositeAlarms[0].StateValue' --output text)
  echo "bake: $(date -u +%H:%M:%S) $HEALTH_ALARM is $state"
  case "$state" in
    ALARM) echo "bake: FAILED: $HEALTH_ALARM went to ALARM during the bake; roll back (docs/delivery.md#rolling-back)" >&2; exit 1 ;;
    None|"") echo "bake: FAILED: $HEALTH_ALARM does not exist in $TARGET_ACCOUNT/$TARGET_REGION" >&2; exit 1 ;;
  esac
  [ "$(date +%s)" -lt "$end" ] || break
  sleep 60
done
echo "bake: $HEALTH_ALARM stayed out of ALARM for $BAKE_MINUTES minutes"
