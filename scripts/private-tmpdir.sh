# Sourced by scripts that start the CDK through jsii (the app launcher, the test runner).
# The .NET jsii runtime unpacks the CDK's JavaScript bundles (~65 MiB) into a new temp folder on every
# start and never removes it (aws/jsii#700). use_private_tmpdir NAME points TMPDIR at a private folder
# that is deleted when the script exits; Node's compile cache stays in the shared temp folder so the
# jsii runtime still starts warm.
use_private_tmpdir() {
  local shared_tmp=${TMPDIR:-/tmp}
  private_tmp=$(mktemp -d "$shared_tmp/tradingplatform-$1.XXXXXX")
  trap 'rm -rf "$private_tmp"' EXIT
  export NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-$shared_tmp/node-compile-cache}
  export TMPDIR=$private_tmp
}
