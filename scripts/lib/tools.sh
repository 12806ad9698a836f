# Shared by scripts/serve and scripts/test: installs each build tool only when it is missing.
# Only package registries are reachable (crates.io, npm, Debian), so nothing here downloads from elsewhere;
# The client is built with plain cargo and the wasm-bindgen CLI (scripts/lib/site.sh), not cargo-leptos, which
# would take 13 minutes to install and otherwise try to fetch wasm-bindgen or wasm-opt from a code-hosting site.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/target/tools"
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

BINARYEN_VERSION=132

say() { printf '\033[1;34m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "需要 root 权限安装系统软件包：$*" >&2; return 1; fi
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "安装 wasm32-unknown-unknown 编译目标"
    rustup target add wasm32-unknown-unknown
  fi
}

# wasm-bindgen's CLI must equal the wasm-bindgen crate in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if [ -z "$want" ]; then echo "Cargo.lock 中找不到 wasm-bindgen 版本" >&2; return 1; fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    say "安装 wasm-bindgen-cli $want"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# Release builds run wasm-opt. Debian's binaryen (108) produces a wasm that never hydrates, so use npm's.
ensure_wasm_opt() {
  local v
  v="$(wasm-opt --version 2>/dev/null | grep -oE '[0-9]+' | head -1 || true)"
  if [ -z "$v" ] || [ "$v" -lt 116 ]; then
    say "安装 wasm-opt（binaryen@$BINARYEN_VERSION，来自 npm）"
    mkdir -p "$TOOLS"
    npm install --silent --prefix "$TOOLS" "binaryen@$BINARYEN_VERSION" >/dev/null
    hash -r
    v="$(wasm-opt --version | grep -oE '[0-9]+' | head -1)"
    if [ "$v" -lt 116 ]; then echo "wasm-opt 版本 $v 过低（需要 ≥ 116）" >&2; return 1; fi
  fi
}

ensure_nextest() {
  if ! cargo nextest --version >/dev/null 2>&1; then
    say "安装 cargo-nextest（测试运行器）"
    cargo install cargo-nextest --locked
  fi
}

ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "安装 Chromium 与 ChromeDriver（浏览器测试）"
    apt_install chromium chromium-driver
  fi
  # Chinese glyphs for screenshots of the pages.
  if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    apt_install fonts-noto-cjk || true
  fi
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
}

source "$ROOT/scripts/lib/site.sh"
