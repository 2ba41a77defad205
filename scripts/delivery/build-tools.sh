# Sourced by every pipeline step that builds the app (src/Constructs/Delivery/ReleasePipeline.cs): what the README's
# quick start needs on a fresh CodeBuild machine (aws/codebuild/standard:7.0 has Node, npm and python3, not .NET 10 or
# moto), then the README's commands run offline, as they do for a new user: no AWS credentials reach them, so the CLI
# picks the placeholder account and the cached lookups (cdk.context.json), never the build's own account.
if ! command -v dotnet >/dev/null || ! dotnet --list-sdks | grep -q '^10\.'; then
  curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh || return 1
  bash /tmp/dotnet-install.sh --channel 10.0 --install-dir "$HOME/.dotnet" >/dev/null || return 1
  export PATH="$HOME/.dotnet:$PATH" DOTNET_ROOT="$HOME/.dotnet"
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! python3 -c 'import moto, sys; sys.exit(0 if moto.__version__.startswith("5.") else 1)' 2>/dev/null; then
  python3 -m pip install --quiet 'moto[server]>=5,<6' || return 1
fi

# The CloudFormation linter gate of `npm run compliance`: the same cfn-lint the developers run (scripts/lint-gate/gate.mjs).
cfn_lint_version=$(sed -n "s/^export const CFN_LINT_VERSION = '\(.*\)';$/\1/p" scripts/lint-gate/gate.mjs)
if ! cfn-lint --version 2>/dev/null | grep -qx "cfn-lint $cfn_lint_version"; then
  python3 -m pip install --quiet "cfn-lint==$cfn_lint_version" || return 1
fi

# Keep the build's credentials for the steps that need them (read or record the deployed commit) and hide them from
# everything else: `offline CMD...` runs CMD without them.
offline() {
  env -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_ACCESS_KEY_ID \
    -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_PROFILE \
    AWS_EC2_METADATA_DISABLED=true "$@"
}
