#!/usr/bin/env bash
# Builds the release archives of vllm-bench and their checksums, as the
# release workflow publishes them:
#
#   scripts/release.sh VERSION OUTDIR [OS/ARCH ...]
#
# VERSION is the release tag (v1.2.3); it is stamped into the binary, which
# prints it for `vllm-bench --version` and records it in every result file.
# Each OS/ARCH (default: linux/amd64 linux/arm64 darwin/amd64 darwin/arm64)
# gives OUTDIR/vllm-bench_<version>_<os>_<arch>.tar.gz, <version> without
# the leading v, holding the binary, LICENSE, NOTICE,
# THIRD_PARTY_NOTICES.md and README.md. OUTDIR/checksums.txt lists their
# sha256 sums in sha256sum's format.
set -euo pipefail

# The variable the version is stamped into; scripts/install.sh uses the same.
version_symbol=github.com/vllm-bench-action/vllm-bench-action/internal/app.Version

usage() {
  echo "usage: scripts/release.sh VERSION OUTDIR [OS/ARCH ...]" >&2
  exit 2
}

[ $# -ge 2 ] || usage
version=$1
outdir=$2
shift 2
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release.sh: version must look like v1.2.3 (or v1.2.3-rc.1), got \"$version\"" >&2
  exit 2
fi
platforms=("$@")
if [ ${#platforms[@]} -eq 0 ]; then
  platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64)
fi

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$@"
  else
    shasum -a 256 "$@"
  fi
}

# Archives are reproducible with GNU tar: fixed order, owner and times.
tar_flags=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  mtime=$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)
  tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner "--mtime=@$mtime")
fi

archives=()
for platform in "${platforms[@]}"; do
  goos=${platform%/*}
  goarch=${platform#*/}
  name="vllm-bench_${version#v}_${goos}_${goarch}"
  dir="$stage/$name"
  mkdir -p "$dir"
  echo "building $name" >&2
  (cd "$root" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath \
    -ldflags "-s -w -X $version_symbol=$version" -o "$dir/vllm-bench" ./cmd/vllm-bench)
  cp "$root/LICENSE" "$root/NOTICE" "$root/THIRD_PARTY_NOTICES.md" "$root/README.md" "$dir/"
  tar ${tar_flags[@]+"${tar_flags[@]}"} -C "$dir" -cf - vllm-bench LICENSE NOTICE THIRD_PARTY_NOTICES.md README.md |
    gzip -n -9 >"$outdir/$name.tar.gz"
  archives+=("$name.tar.gz")
done

(cd "$outdir" && sha256 "${archives[@]}" >checksums.txt)
cat "$outdir/checksums.txt"
