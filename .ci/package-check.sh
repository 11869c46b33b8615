#!/usr/bin/env bash
# Package check: the package as a user gets it. Packs the tarball (prepack builds dist/), lints it with publint
# and attw, installs it into a scratch project with the user's own @sinclair/typebox, type-checks the user code
# (tsc --strict, skipLibCheck off; nodenext and bundler resolution, each with and without the DOM lib) and runs the
# README's 30-second example from ESM and CommonJS under Node, then under Bun and Deno (from the npm registry).
# Prints one line per check; exits 1 if any failed. Needs only `npm ci` to have run. Usage: .ci/package-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FIXTURES=$ROOT/.ci/package-check

# Runtimes for the scratch project, from the npm registry (their packages ship the binaries).
BUN_VERSION=${BUN_VERSION:-1.4.5}
DENO_VERSION=${DENO_VERSION:-2.9.6}
export BUN_VERSION DENO_VERSION
# The most the packed tarball may weigh: room for growth, but not for sources, maps or a stray folder. 572 KB after
# the round that added compiled codecs, typed partial objects, durable-stream production and SSE's own parser (each
# CommonJS entry carries its own copy of the shared code).
PACKED_BUDGET_BYTES=${PACKED_BUDGET_BYTES:-650000}
export PACKED_BUDGET_BYTES

WORK=$(mktemp -d "${TMPDIR:-/tmp}/streamtypes-package-check.XXXXXX")
export ROOT FIXTURES WORK APP=$WORK/app TOOLS=$WORK/tools TGZ=""
trap 'rm -rf "$WORK"' EXIT
trap 'exit 143' TERM INT # so that the EXIT trap cleans up when CI's timeout stops this script
LOG=$WORK/log
failures=0

# check NAME SECONDS COMMAND...: a step bounded in CPU time and, more loosely, in wall time (.ci/check.sh).
source "$ROOT/.ci/check.sh"

# The version the repository's lock installed, so the scratch project installs from the npm cache.
locked() { node -p "require('$ROOT/node_modules/$1/package.json').version"; }
export -f locked

# ---- the tarball ----

pack() {
  npm pack --pack-destination "$WORK" --silent >/dev/null
  local tgz
  tgz=$(ls "$WORK"/streamtypes-*.tgz)
  tar -tzf "$tgz" >"$WORK/contents"
  # What the exports, the typesVersions and the docs promise.
  for f in package/LICENSE package/README.md package/package.json package/dist/index.js package/dist/index.cjs package/dist/index.d.ts package/dist/index.d.cts \
    package/dist/node.d.ts package/dist/browser.d.ts package/dist/typebox1.d.ts; do
    grep -qx "$f" "$WORK/contents" || { echo "missing from the tarball: $f"; return 1; }
  done
  # No sources and no source maps (README, "Install", says why).
  if grep -E '^package/src/|\.map$' "$WORK/contents"; then
    echo "sources or source maps in the tarball (above)"
    return 1
  fi
  # The packed size against its budget (0.34 MB when set; 1.0 MB with the sources and maps it used to carry).
  local packed
  packed=$(stat -c %s "$tgz")
  echo "$(wc -l <"$WORK/contents") files, $packed bytes packed (budget $PACKED_BUDGET_BYTES)"
  [ "$packed" -le "$PACKED_BUDGET_BYTES" ] || { echo "the tarball is over its packed-size budget"; return 1; }
}
export -f pack
check "npm pack (prepack builds dist/)" 300 pack
TGZ=$(ls "$WORK"/streamtypes-*.tgz 2>/dev/null || true)
export TGZ
if [ -z "$TGZ" ]; then
  echo "package check: no tarball, nothing more to check"
  exit 1
fi

public_dts() {
  mkdir -p "$WORK/unpacked"
  tar -xzf "$TGZ" -C "$WORK/unpacked"
  # No @internal declaration, and none of the internal types a definition is built from.
  if grep -nE '@internal|\b(StreamSpec|EntryDefaults|StreamWriterImpl|StreamReaderImpl|ProducerRun)\b' "$WORK"/unpacked/package/dist/*.d.ts "$WORK"/unpacked/package/dist/*.d.cts; then
    echo "internal names in the published declarations (above)"
    return 1
  fi
}
export -f public_dts
check "declarations: no @internal or internal types" 30 public_dts
check "publint (the tarball)" 120 npx --no-install publint run "$TGZ" --strict
check "attw (the tarball, default profile: node10, node16, bundler)" 180 npx --no-install attw "$TGZ"

# ---- a scratch project, as a user sets one up ----

mkdir -p "$APP"
cat >"$APP/package.json" <<'JSON'
{ "name": "scratch-app", "version": "1.0.0", "private": true }
JSON
install_app() {
  cd "$APP"
  # typebox (1.x) only for streamtypes/typebox1, an optional peer.
  npm install "$TGZ" "@sinclair/typebox@$(locked @sinclair/typebox)" "typescript@$(locked typescript)" "@types/node@$(locked @types/node)" "typebox@$(locked typebox)" \
    --prefer-offline --no-audit --no-fund --loglevel=error
  # One TypeBox: the user's, not a second copy nested under streamtypes.
  [ ! -e node_modules/streamtypes/node_modules/@sinclair/typebox ] || { echo "a nested @sinclair/typebox"; return 1; }
}
export -f install_app
check "npm install <tarball> @sinclair/typebox (scratch project)" 300 install_app

cp "$FIXTURES/example.mts" "$APP/example.mts"
cp "$FIXTURES/example.mts" "$APP/example.cts" # the same code, as a CommonJS module
cp "$FIXTURES/options.mts" "$FIXTURES/bad-producer.mts" "$FIXTURES/browser.mts" "$FIXTURES/typebox1.mts" "$FIXTURES/direct-run.cjs" "$APP/"

# tsconfig NAME MODULE RESOLUTION TYPES FILES LIB...: strict, skipLibCheck off, exactOptionalPropertyTypes on.
tsconfig() {
  local name=$1 module=$2 resolution=$3 types=$4 files=$5
  shift 5
  local libs
  libs=$(printf '"%s",' "$@")
  cat >"$APP/tsconfig.$name.json" <<JSON
{
  "compilerOptions": {
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": false,
    "target": "es2022",
    "module": "$module",
    "moduleResolution": "$resolution",
    "lib": [${libs%,}],
    "types": [$types],
    "noEmit": true
  },
  "files": [$files]
}
JSON
}
USER_CODE='"example.mts", "example.cts", "options.mts", "typebox1.mts"'
tsconfig nodenext nodenext nodenext '"node"' "$USER_CODE" es2022
tsconfig nodenext-dom nodenext nodenext '"node"' "$USER_CODE" es2022 dom dom.iterable
tsconfig bundler esnext bundler '"node"' "$USER_CODE" es2022
tsconfig bundler-dom esnext bundler '"node"' "$USER_CODE" es2022 dom dom.iterable
tsconfig browser esnext bundler "" '"browser.mts"' es2022 dom dom.iterable

tsc_app() { cd "$APP" && node_modules/.bin/tsc "$@"; }
export -f tsc_app
check "tsc --strict: module nodenext, no DOM lib" 180 tsc_app -p tsconfig.nodenext.json
check "tsc --strict: module nodenext, DOM lib" 180 tsc_app -p tsconfig.nodenext-dom.json
check "tsc --strict: moduleResolution bundler, no DOM lib" 180 tsc_app -p tsconfig.bundler.json
check "tsc --strict: moduleResolution bundler, DOM lib" 180 tsc_app -p tsconfig.bundler-dom.json
check "tsc --strict: streamtypes/browser, DOM lib, no Node types" 180 tsc_app -p tsconfig.browser.json

# A producer that yields a value instead of w.item(value): a type error of at most 3 lines that says what to write.
bad_producer() {
  cd "$APP"
  local out
  if out=$(node_modules/.bin/tsc --strict --noEmit --pretty false --skipLibCheck false --module nodenext --moduleResolution nodenext --target es2022 --types node bad-producer.mts); then
    echo "bad-producer.mts type-checked, but a producer must yield frames"
    return 1
  fi
  echo "$out"
  grep -q 'YieldFrames' <<<"$out" && grep -q '`yield w.item(value)`, not `yield value`' <<<"$out" || { echo "the error does not name YieldFrames and the fix"; return 1; }
  local lines
  lines=$(wc -l <<<"$out")
  [ "$lines" -le 3 ] || { echo "the error has $lines lines; want at most 3"; return 1; }
}
export -f bad_producer
check "tsc: yield value (not w.item(value)) is a short type error" 120 bad_producer

# Compile the example as the user's build would (nodenext: .mts → .mjs, .cts → .cjs), then run both.
cat >"$APP/tsconfig.emit.json" <<'JSON'
{ "extends": "./tsconfig.nodenext.json", "compilerOptions": { "noEmit": false, "outDir": "out" }, "files": ["example.mts", "example.cts"] }
JSON
check "tsc: compile example.mts/.cts to .mjs/.cjs" 180 tsc_app -p tsconfig.emit.json
run_in_app() { cd "$APP" && "$@"; }
export -f run_in_app
check "node: the README example from ESM (out/example.mjs)" 60 run_in_app node out/example.mjs
check "node: the README example from CommonJS (out/example.cjs)" 60 run_in_app node out/example.cjs
check "node: sendResponse takes a producer's run over across the CommonJS entries" 60 run_in_app node direct-run.cjs

# ---- a second scratch project with a Standard Schema library and no TypeBox: streamtypes/standard ----

STD=$WORK/standard-app
mkdir -p "$STD"
cat >"$STD/package.json" <<'JSON'
{ "name": "scratch-standard", "version": "1.0.0", "private": true, "type": "module" }
JSON
cp "$FIXTURES/standard.mts" "$STD/standard.mts"
cat >"$STD/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true, "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true, "skipLibCheck": false,
    "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext", "lib": ["es2022"], "types": ["node"],
    "outDir": "out"
  },
  "files": ["standard.mts"]
}
JSON
standard_app() {
  cd "$STD"
  npm install "$TGZ" "zod@$(locked zod)" "typescript@$(locked typescript)" "@types/node@$(locked @types/node)" --prefer-offline --no-audit --no-fund --loglevel=error
  # TypeBox is an optional peer: a Standard-Schema-only project does not get it.
  [ ! -e node_modules/@sinclair/typebox ] || { echo "@sinclair/typebox was installed, but nothing here asked for it"; return 1; }
  node_modules/.bin/tsc -p tsconfig.json
  node out/standard.mjs
  # The main entry here fails to load, with the error README's Install section quotes (and answers).
  local missing
  missing=$(node --input-type=module -e 'import("streamtypes").then(() => console.log("loaded"), (err) => console.log(err.message.split("\n")[0]))')
  echo "import(\"streamtypes\") without TypeBox: $missing"
  grep -qF "Cannot find package '@sinclair/typebox'" <<<"$missing" || { echo "not the error README quotes"; return 1; }
  tr '\n' ' ' <"$ROOT/README.md" | grep -qF "Cannot find package '@sinclair/typebox'" || { echo "README does not quote it"; return 1; }
}
export STD
export -f standard_app
check "streamtypes/standard with zod, no TypeBox installed: tsc --strict, run" 300 standard_app

# The same project's page: streamtypes/standard/browser with zod, no TypeBox: tsc (DOM lib, no Node types), an
# esbuild bundle (the repository's esbuild, resolving from the project), read in Chromium from node:http.
cp "$FIXTURES/standard-page.mts" "$FIXTURES/standard-page-serve.mjs" "$STD/"
cat >"$STD/tsconfig.page.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true, "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true, "skipLibCheck": false,
    "target": "es2022", "module": "esnext", "moduleResolution": "bundler", "lib": ["es2022", "dom", "dom.iterable"], "types": [],
    "noEmit": true
  },
  "files": ["standard-page.mts"]
}
JSON
standard_page() {
  cd "$STD"
  [ ! -e node_modules/@sinclair/typebox ] || { echo "@sinclair/typebox is installed: this check needs a project without it"; return 1; }
  node_modules/.bin/tsc -p tsconfig.page.json
  # With no @sinclair/typebox installed, a bundle that needed it would not build.
  "$ROOT/node_modules/.bin/esbuild" standard-page.mts --bundle --format=esm --platform=browser --minify --outfile=out/page.js --log-level=warning
  node standard-page-serve.mjs
}
export -f standard_page
check "streamtypes/standard/browser with zod, no TypeBox: tsc, bundle, Chromium" 180 standard_page

# The CLI as a user runs it after install: `npx streamtypes inspect` on a truss golden vector (exit 0, its frames).
inspect_cli() {
  cd "$APP"
  local out
  out=$(npx --no-install streamtypes inspect "$ROOT/test/fixtures/truss/full.bin")
  echo "$out"
  echo "$out" | grep -q '"summary":true'
  echo "$out" | grep -q '"exitCode":0'
}
export -f inspect_cli
check "npx streamtypes inspect (the bin from the tarball)" 60 inspect_cli

# ---- Bun and Deno, from the npm registry, running the same example from the scratch project ----

mkdir -p "$TOOLS"
echo '{ "name": "tools", "version": "1.0.0", "private": true }' >"$TOOLS/package.json"
install_runtimes() {
  cd "$TOOLS" && npm install "bun@$BUN_VERSION" "deno@$DENO_VERSION" --prefer-offline --no-audit --no-fund --loglevel=error
  "$TOOLS/node_modules/.bin/bun" --version
  "$TOOLS/node_modules/.bin/deno" --version | head -n 1
}
export -f install_runtimes
check "npm install bun@$BUN_VERSION deno@$DENO_VERSION" 300 install_runtimes
check "bun $BUN_VERSION: the README example (example.mts)" 60 run_in_app "$TOOLS/node_modules/.bin/bun" example.mts
# Deno resolves "streamtypes" and "@sinclair/typebox" from the scratch project's node_modules.
echo '{ "nodeModulesDir": "manual" }' >"$APP/deno.json"
check "deno $DENO_VERSION: the README example (example.mts)" 120 run_in_app env DENO_NO_UPDATE_CHECK=1 DENO_DIR="$WORK/deno-cache" \
  "$TOOLS/node_modules/.bin/deno" run --allow-net --allow-read --allow-env example.mts

if [ $failures -gt 0 ]; then
  echo "package check: $failures failed"
  exit 1
fi
echo "package check: all passed"
