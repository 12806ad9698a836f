# Shared by scripts/serve, scripts/test and scripts/bench: builds the wasm client into the site folder that the
# server serves (`target/site`, the layout cargo-leptos writes: `pkg/gongkai.js`, `pkg/gongkai_bg.wasm`,
# `pkg/gongkai.css` and the files of `public/` at the top).
#
# Plain cargo and the wasm-bindgen CLI instead of cargo-leptos: cargo-leptos costs 13 minutes to install from
# source on a fresh machine, and its debug builds use other compiler flags than `cargo test`, so the server was built
# twice. The server is built by plain cargo too; compiled without cargo-leptos' LEPTOS_OUTPUT_NAME it asks for
# `gongkai_bg.wasm`, which is the name wasm-bindgen gives. `cargo leptos watch` still works for development with the
# metadata in Cargo.toml.

SITE_ROOT="${SITE_ROOT:-$ROOT/target/site}"

# build_site dev|release
build_site() {
  local mode="${1:-dev}" profile_args=() profile_dir
  if [ "$mode" = release ]; then
    profile_args=(--profile wasm-release)
    profile_dir=wasm-release
  else
    profile_dir=debug
  fi
  say "构建 wasm 客户端（cargo build -p app --target wasm32-unknown-unknown ${profile_args[*]:-}）"
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
    "${profile_args[@]}"
  local wasm="${CARGO_TARGET_DIR:-$ROOT/target}/wasm32-unknown-unknown/$profile_dir/app.wasm"
  local staging="$SITE_ROOT.partial"
  rm -rf "$staging"
  mkdir -p "$staging/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$staging/pkg" --out-name gongkai "$wasm"
  if [ "$mode" = release ]; then
    say "压缩 wasm（wasm-opt -Oz）"
    wasm-opt -Oz --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals \
      -o "$staging/pkg/gongkai_bg.wasm.opt" "$staging/pkg/gongkai_bg.wasm"
    mv "$staging/pkg/gongkai_bg.wasm.opt" "$staging/pkg/gongkai_bg.wasm"
  fi
  cp -R "$ROOT/public/." "$staging/"
  cp "$ROOT/public/gongkai.css" "$staging/pkg/gongkai.css"
  rm -rf "$SITE_ROOT"
  mv "$staging" "$SITE_ROOT"
}
