#!/usr/bin/env bash
# Builds the local image agentcluster/anvil:<tag> FROM scratch when it is missing: the real anvil binary behind
# node_modules/.bin/anvil plus the libraries `ldd` lists (copied at the same paths). The tag is the first 12 hex digits
# of the binary's sha256, so a new anvil gives a new image (AgentCluster.Testing computes the same tag).
#   docker/anvil/build.sh [--print-image] [--force]
# Prints the image reference on stdout. Needs a running Docker engine.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
print_only=0 force=0
for arg in "$@"; do
  case "$arg" in
    --print-image) print_only=1 ;;
    --force) force=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
link="${ANVIL:-$root/node_modules/.bin/anvil}"
[ -e "$link" ] || { echo "build.sh: no anvil at $link (run npm ci / scripts/setup first)" >&2; exit 1; }
bin="$(readlink -f "$link")"
tag="$(sha256sum "$bin" | cut -c1-12)"
image="agentcluster/anvil:$tag"
if [ "$print_only" = 1 ]; then echo "$image"; exit 0; fi
if [ "$force" = 0 ] && docker image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$(dirname "$0")/Dockerfile" "$ctx/Dockerfile"
mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/state"
chmod 1777 "$ctx/rootfs/tmp" "$ctx/rootfs/state"  # writable when the fixture runs anvil as the calling user
cp "$bin" "$ctx/rootfs/usr/local/bin/anvil"
# Every absolute path ldd prints (libgcc_s, libm, libc and the loader), dereferenced, at the same path in the image.
libs=()
while IFS= read -r lib; do libs+=("$lib"); done < <(ldd "$bin" | grep -oE '/[^ ]+' | sort -u)
((${#libs[@]})) || { echo "build.sh: ldd listed no libraries for $bin" >&2; exit 1; }
for lib in "${libs[@]}"; do
  mkdir -p "$ctx/rootfs$(dirname "$lib")"
  cp -L "$lib" "$ctx/rootfs$lib"
done
previous="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
if ! docker build --quiet --label "org.agentcluster.anvil.sha256=$(sha256sum "$bin" | cut -d' ' -f1)" \
  --label "org.agentcluster.anvil.version=$("$bin" --version | head -1)" -t "$image" "$ctx" >"$ctx/build.log" 2>&1; then
  echo "build.sh: docker build failed:" >&2; grep -v -e DEPRECATED -e buildx -e 'docs.docker.com' "$ctx/build.log" >&2; exit 1
fi
# A --force rebuild leaves the old image untagged: remove it.
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$image")" ]; then docker rmi "$previous" >/dev/null 2>&1 || true; fi
docker run --rm --network host "$image" --version >/dev/null || { echo "build.sh: $image does not run anvil" >&2; exit 1; }
echo "$image"
