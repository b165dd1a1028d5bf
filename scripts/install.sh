#!/usr/bin/env bash
# Installs vllm-bench for the GitHub Action at $RUNNER_TEMP/vllm-bench.
#
#   scripts/install.sh                    install the release of the action's ref, or build
#   scripts/install.sh --require-release  install a release or fail; never build
#   scripts/install.sh --build            build from source (the action runs it after setup-go)
#
# Which release: the one given by VLLM_BENCH_VERSION (the action's
# vllm-bench-version input) if set; else the action's ref when it is a
# release tag (v1.2.3); else, for a major tag (v1), a branch or a commit SHA,
# the newest release tag vX.Y.Z that points at the same commit, read from the
# release repository's tag list. The archive and checksums.txt come from
# <server>/<repository>/releases/download/<tag>/, and the archive's sha256
# must match its line in checksums.txt. The server is VLLM_BENCH_SERVER_URL
# (the github-server-url input), else GITHUB_SERVER_URL; the repository is
# VLLM_BENCH_RELEASE_REPOSITORY (the release-repository input), else the
# action's own.
#
# A verified binary is kept in the runner's tool cache ($RUNNER_TOOL_CACHE,
# when set) under vllm-bench/<version>/<os>-<arch>/<sha256 of the archive>/;
# a later install of the same release on the same runner copies it from
# there without a download, after checking the cached binary's own sha256.
#
# When the ref has no release (a branch or SHA that no release tag points at,
# a local `uses: ./`, a runner architecture without an archive, a
# checksums.txt without the runner's archive, or a tag list that cannot be
# read), it prints a warning that names the reason and builds from the
# action's own source with the Go found on the machine, stamped
# <ref>-source+<short commit> so that it never passes for a release; it
# leaves PATH alone. When there is no usable Go, it writes
# go-version=<the version go.mod asks for> and build-version=<the stamp> to
# $GITHUB_OUTPUT and exits 0: the action then sets up that Go and runs this
# script with --build. With --require-release (and whenever
# VLLM_BENCH_VERSION pins a release) each of those reasons is an error.
#
# Environment: GITHUB_ACTION_REF and GITHUB_ACTION_REPOSITORY (overridden by
# VLLM_BENCH_ACTION_REF and VLLM_BENCH_ACTION_REPOSITORY, which action.yml
# sets because a composite action's own steps see the GITHUB_ pair empty),
# VLLM_BENCH_RELEASE_REPOSITORY, VLLM_BENCH_SERVER_URL, GITHUB_SERVER_URL,
# RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, RUNNER_TOOL_CACHE (optional),
# VLLM_BENCH_VERSION, VLLM_BENCH_BUILD_VERSION (--build only: the stamp),
# GITHUB_OUTPUT (optional: receives version=, source= (release or source),
# go-version= and build-version=).
# Exit status: 0 installed (or Go must be set up first), 1 failure, 2 usage.
set -euo pipefail

# The variable the version is stamped into; scripts/release.sh uses the same.
version_symbol=github.com/vllm-bench-action/vllm-bench-action/internal/app.Version
# Where a pinned version is downloaded from when the action is used from a
# local path and so has no repository of its own.
default_repository=vllm-bench-action/vllm-bench-action

root=$(cd "$(dirname "$0")/.." && pwd)
ref=${VLLM_BENCH_ACTION_REF:-${GITHUB_ACTION_REF:-}}
action_repository=${VLLM_BENCH_ACTION_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}
repository=${VLLM_BENCH_RELEASE_REPOSITORY:-$action_repository}
server=${VLLM_BENCH_SERVER_URL:-${GITHUB_SERVER_URL:-https://github.com}}
server=${server%/}
pinned=${VLLM_BENCH_VERSION:-}
require_release=false
# The commit the action's ref names, once known (from the tag list, or the
# ref itself when it is a SHA); it goes into a source build's version.
commit=""
# Why the last install_release or resolve_ref found no release.
why=""
# Whether resolve_ref has read the tag list.
resolved=false

release_pattern='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

# fail prints a one-line error (an annotation on GitHub) and exits 1.
fail() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    echo "::error title=vllm-bench install::$*" >&2
  else
    echo "install.sh: $*" >&2
  fi
  exit 1
}

# warn prints a one-line warning (an annotation on GitHub).
warn() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    echo "::warning title=vllm-bench install::$*" >&2
  else
    echo "install.sh: warning: $*" >&2
  fi
}

note() {
  echo "vllm-bench install: $*" >&2
}

# output KEY VALUE appends a step output when GITHUB_OUTPUT is set.
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "$1=$2" >>"$GITHUB_OUTPUT"
  fi
}

# sha256 FILE prints the file's sha256; without a tool for it, it fails.
sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    fail "neither sha256sum nor shasum is installed; cannot verify the download"
  fi
}

# fetch URL FILE downloads URL to FILE: status 0 when done, 3 when the
# server answers 404, 1 on any other failure (with the reason in $why).
fetch() {
  local url=$1 file=$2 code rc
  if command -v curl >/dev/null; then
    rc=0
    code=$(curl -sSL --retry 3 --retry-delay 2 --connect-timeout 20 --max-time 600 \
      -o "$file" -w '%{http_code}' "$url" 2>"$tmp/curl.err") || rc=$?
    if [ "$rc" -ne 0 ]; then
      why="download of $url failed (curl exit $rc: $(head -n 1 "$tmp/curl.err"))"
      return 1
    fi
    case $code in
      200) return 0 ;;
      404) return 3 ;;
      *)
        why="download of $url failed: HTTP $code"
        return 1
        ;;
    esac
  elif command -v wget >/dev/null; then
    rc=0
    wget -q --tries 3 --timeout 60 -O "$file" "$url" || rc=$?
    case $rc in
      0) return 0 ;;
      8) return 3 ;; # the server answered with an error, taken as "not there"
      *)
        why="download of $url failed (wget exit $rc)"
        return 1
        ;;
    esac
  else
    fail "neither curl nor wget is installed; cannot download vllm-bench"
  fi
}

# resolve_ref sets tag to the newest release tag vX.Y.Z that points at the
# same commit as the ref, from the release repository's advertised refs
# (git's smart HTTP protocol), and commit to that commit. Status 0 found,
# 3 no release tag points there, 1 the refs could not be read; $why says
# why not.
resolve_ref() {
  local refs=$tmp/refs url rc=0 found
  resolved=true
  url="$server/$repository.git/info/refs?service=git-upload-pack"
  fetch "$url" "$refs" || rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 3 ] && why="$url: HTTP 404"
    why="could not read the tags of $repository at $server: $why"
    return 1
  fi
  # Each advertised ref is a pkt-line "<4 hex length><40 hex sha> <name>";
  # the first one carries capabilities after a NUL byte.
  tr '\0' '\n' <"$refs" |
    sed -n 's/^\(0000\)\{0,1\}[0-9a-f]\{4\}\([0-9a-f]\{40\}\) \(refs\/[^ ]*\)$/\2 \3/p' >"$tmp/refs.txt"
  # Prints "commit <sha>" for the ref, then every release tag on it.
  found=$(awk -v ref="$ref" '
    { sha[$2] = $1 }
    END {
      if (length(ref) == 40 && ref !~ /[^0-9a-f]/) commit = ref
      else if (("refs/tags/" ref "^{}") in sha) commit = sha["refs/tags/" ref "^{}"]
      else if (("refs/tags/" ref) in sha) commit = sha["refs/tags/" ref]
      else if (("refs/heads/" ref) in sha) commit = sha["refs/heads/" ref]
      else exit
      print "commit", commit
      for (name in sha) {
        tag = name
        peeled = substr(name, length(name) - 2) == "^{}"
        if (peeled) tag = substr(name, 1, length(name) - 3)
        if (tag !~ /^refs\/tags\/v[0-9]+\.[0-9]+\.[0-9]+$/) continue
        # An annotated tag points at the commit through its peeled line.
        if (!peeled && ((tag "^{}") in sha)) continue
        if (sha[name] == commit) print "tag", substr(tag, 11)
      }
    }' "$tmp/refs.txt")
  commit=$(awk '$1 == "commit" { print $2 }' <<<"$found")
  tag=$(awk '$1 == "tag" { print $2 }' <<<"$found" | sort -V | tail -n 1)
  if [ -z "$commit" ]; then
    why="\"$ref\" is no tag, branch or commit of $repository at $server"
    return 3
  fi
  if [ -z "$tag" ]; then
    why="no release tag vX.Y.Z of $repository points at $ref (commit ${commit:0:7})"
    return 3
  fi
}

# The tool cache: cache_dir is $RUNNER_TOOL_CACHE/vllm-bench/<version>/<os>-<arch>;
# each entry is a directory named by the archive's sha256, holding the
# binary and its own sha256, and counts once <sha256>.complete exists.
cache_dir=""

# cache_lookup [SHA256] prints the entry for the archive SHA256, or, without
# it, the only complete entry; status 1 when there is none, or its binary
# does not match the sha256 recorded with it.
cache_lookup() {
  local want=${1:-} entry="" marker n=0 recorded
  [ -n "$cache_dir" ] && [ -d "$cache_dir" ] || return 1
  if [ -n "$want" ]; then
    [ -e "$cache_dir/$want.complete" ] || return 1
    entry=$cache_dir/$want
  else
    for marker in "$cache_dir"/*.complete; do
      [ -e "$marker" ] || continue
      n=$((n + 1))
      entry=${marker%.complete}
    done
    [ "$n" -eq 1 ] || return 1
  fi
  [ -f "$entry/vllm-bench" ] && [ -f "$entry/vllm-bench.sha256" ] || return 1
  recorded=$(cat "$entry/vllm-bench.sha256")
  if [ "$(sha256 "$entry/vllm-bench")" != "$recorded" ]; then
    note "ignoring the tool cache entry $entry: its binary no longer has sha256 $recorded"
    return 1
  fi
  echo "$entry"
}

# cache_store SHA256 BINARY adds the binary of the archive SHA256 to the
# tool cache. A cache that cannot be written is noted, never fatal.
cache_store() {
  local sum=$1 binary=$2 staging
  [ -n "$cache_dir" ] || return 0
  if ! mkdir -p "$cache_dir" 2>/dev/null || ! staging=$(mktemp -d "$cache_dir/.new.XXXXXX" 2>/dev/null); then
    note "the tool cache $cache_dir is not writable; not cached"
    return 0
  fi
  if ! cp "$binary" "$staging/vllm-bench" || ! sha256 "$staging/vllm-bench" >"$staging/vllm-bench.sha256"; then
    rm -rf "$staging"
    note "could not write to the tool cache $cache_dir; not cached"
    return 0
  fi
  # An entry without its marker is a store that did not finish, or one
  # that cache_lookup rejected: replace it.
  rm -f "$cache_dir/$sum.complete"
  rm -rf "${cache_dir:?}/$sum"
  if mv "$staging" "$cache_dir/$sum" 2>/dev/null && : >"$cache_dir/$sum.complete"; then
    note "cached in $cache_dir/$sum"
  else
    rm -rf "$staging"
    note "could not add the binary to the tool cache $cache_dir; not cached"
  fi
}

# install_binary FILE TAG FROM installs FILE as $dest once it runs, and
# sets the outputs of a release install.
install_binary() {
  local file=$1 tag=$2 from=$3 installed
  chmod 0755 "$file" || exit 1
  installed=$("$file" --version) || fail "vllm-bench from $from does not run on this machine"
  mv -f "$file" "$dest" || fail "could not install vllm-bench at $dest"
  output version "$tag"
  output source release
  note "installed $installed from $from"
}

# install_release TAG OS ARCH: status 0 installed, 3 the release or this
# platform's archive is not there ($why says which asset); any other
# failure exits. Its callers test its status, which turns off set -e
# inside it: every step is checked.
install_release() {
  local tag=$1 goos=$2 goarch=$3 archive expected actual entry rc
  local base="$server/$repository/releases/download/$tag"
  archive="vllm-bench_${tag#v}_${goos}_${goarch}.tar.gz"
  if [ -n "${RUNNER_TOOL_CACHE:-}" ]; then
    cache_dir="$RUNNER_TOOL_CACHE/vllm-bench/${tag#v}/${goos}-${goarch}"
  fi
  if entry=$(cache_lookup); then
    cp "$entry/vllm-bench" "$tmp/vllm-bench" || exit 1
    install_binary "$tmp/vllm-bench" "$tag" "release $tag in the tool cache ($entry), without a download"
    return 0
  fi
  rc=0
  fetch "$base/checksums.txt" "$tmp/checksums.txt" || rc=$?
  case $rc in
    0) ;;
    3)
      why="release $tag has no asset checksums.txt at $base/checksums.txt (HTTP 404: no release $tag in $repository)"
      return 3
      ;;
    *) fail "could not download checksums.txt of release $tag: $why" ;;
  esac
  expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/checksums.txt")
  if [ -z "$expected" ]; then
    why="release $tag has no archive for ${goos}/${goarch}: $archive is not in its checksums.txt"
    return 3
  fi
  if entry=$(cache_lookup "$expected"); then
    cp "$entry/vllm-bench" "$tmp/vllm-bench" || exit 1
    install_binary "$tmp/vllm-bench" "$tag" "release $tag in the tool cache ($entry), sha256 $expected"
    return 0
  fi
  rc=0 why=""
  fetch "$base/$archive" "$tmp/$archive" || rc=$?
  [ "$rc" -ne 3 ] || why="HTTP 404"
  [ "$rc" -eq 0 ] || fail "could not download $archive from $base, which checksums.txt lists: $why"
  actual=$(sha256 "$tmp/$archive") || exit 1
  if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for $archive of release $tag: checksums.txt says sha256 $expected, the download has sha256 $actual"
  fi
  mkdir "$tmp/unpacked" || exit 1
  tar -xzf "$tmp/$archive" -C "$tmp/unpacked" vllm-bench || fail "$archive has no vllm-bench binary"
  chmod 0755 "$tmp/unpacked/vllm-bench" || exit 1
  "$tmp/unpacked/vllm-bench" --version >/dev/null || fail "vllm-bench of $archive does not run on this machine"
  cache_store "$expected" "$tmp/unpacked/vllm-bench"
  install_binary "$tmp/unpacked/vllm-bench" "$tag" "release $tag (sha256 $actual)"
}

# go_usable says whether the go on PATH can build the module: new enough for
# go.mod, or able to fetch that toolchain itself (Go 1.21+ unless
# GOTOOLCHAIN=local).
go_usable() {
  command -v go >/dev/null || return 1
  local have toolchain
  have=$(go env GOVERSION 2>/dev/null) || return 1
  have=${have#go}
  toolchain=$(go env GOTOOLCHAIN 2>/dev/null || echo local)
  version_at_least "$have" "$need_go" && return 0
  [ "${toolchain%%+*}" != local ] && version_at_least "$have" 1.21
}

# version_at_least A B: A >= B for dotted versions.
version_at_least() {
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$2" ]
}

# source_stamp prints the version a source build is stamped with:
# <ref>-source+<short commit>, the commit taken from the tag list, the ref
# itself when it is a SHA, or the checkout's HEAD; "unknown" when none
# says. It can never be mistaken for a release vX.Y.Z.
source_stamp() {
  local sha=$commit top
  if [ -z "$sha" ] && [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
    sha=$ref
  fi
  if [ -z "$sha" ] && command -v git >/dev/null &&
    top=$(git -C "$root" rev-parse --show-toplevel 2>/dev/null) &&
    [ "$(cd "$top" && pwd -P)" = "$(cd "$root" && pwd -P)" ]; then
    sha=$(git -C "$root" rev-parse --verify -q HEAD 2>/dev/null || true)
  fi
  if [ -n "$sha" ]; then
    echo "${ref:-dev}-source+${sha:0:7}"
  else
    echo "${ref:-dev}-source+unknown"
  fi
}

build() {
  local stamp=$1 built
  note "building vllm-bench $stamp from source with $(go env GOVERSION) (go.mod asks for go $need_go)"
  (cd "$root" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X $version_symbol=$stamp" -o "$dest" ./cmd/vllm-bench) ||
    fail "go build of $root/cmd/vllm-bench failed"
  built=$("$dest" --version) || fail "the built $dest does not run"
  output version "$stamp"
  output source source
  note "built $built"
}

# fallback REASON builds from source after a warning that names the reason;
# with --require-release it fails instead.
fallback() {
  local reason=$1 stamp
  if [ "$require_release" = true ]; then
    fail "no release installed: $reason (--require-release builds nothing from source)"
  fi
  # A release tag's missing release was looked for without the tag list;
  # read it now for the commit the stamp names.
  if [ -z "$commit" ] && [ "$resolved" = false ] && [ -n "$ref" ] && [ -n "$repository" ]; then
    resolve_ref || true
  fi
  stamp=$(source_stamp)
  warn "$reason; building vllm-bench from source as $stamp, not a release"
  if go_usable; then
    build "$stamp"
  elif [ -n "${GITHUB_OUTPUT:-}" ]; then
    note "no usable Go on this machine; the action sets up Go $need_go to build"
    output go-version "$need_go"
    output build-version "$stamp"
  else
    fail "$reason, and no usable Go to build from source (go.mod asks for go $need_go)"
  fi
}

main() {
  [ -n "${RUNNER_TEMP:-}" ] || fail "RUNNER_TEMP is not set; run this script from the action, or set RUNNER_TEMP to the install directory"
  [ -d "$RUNNER_TEMP" ] || fail "RUNNER_TEMP \"$RUNNER_TEMP\" is not a directory"
  dest=$RUNNER_TEMP/vllm-bench
  need_go=$(awk '$1 == "go" { print $2; exit }' "$root/go.mod")
  tmp=$(mktemp -d "$RUNNER_TEMP/vllm-bench-install.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT

  case $# in
    0) ;;
    1)
      case $1 in
        --build)
          go_usable || fail "no usable Go to build vllm-bench (go.mod asks for go $need_go)"
          build "${VLLM_BENCH_BUILD_VERSION:-$(source_stamp)}"
          return
          ;;
        --require-release) require_release=true ;;
        *)
          echo "usage: scripts/install.sh [--require-release | --build]" >&2
          exit 2
          ;;
      esac
      ;;
    *)
      echo "usage: scripts/install.sh [--require-release | --build]" >&2
      exit 2
      ;;
  esac

  [[ $server =~ ^https?://[^/[:space:]]+(/[^[:space:]]*)?$ ]] ||
    fail "github-server-url must be a URL such as https://github.com or https://ghes.example.com, got \"$server\""
  if [ -n "$repository" ] && ! [[ $repository =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
    fail "release-repository must be OWNER/NAME, such as vllm-bench-action/vllm-bench-action, got \"$repository\""
  fi

  local goos goarch tag=""
  case ${RUNNER_OS:-} in
    Linux) goos=linux ;;
    macOS) goos=darwin ;;
    Windows) fail "Windows runners are not supported; use a Linux runner" ;;
    *) fail "RUNNER_OS \"${RUNNER_OS:-}\" is not Linux or macOS" ;;
  esac
  case ${RUNNER_ARCH:-} in
    X64) goarch=amd64 ;;
    ARM64) goarch=arm64 ;;
    *) goarch="" ;;
  esac

  if [ -n "$pinned" ]; then
    tag=v${pinned#v}
    [[ $tag =~ $release_pattern ]] ||
      fail "vllm-bench-version must be a release such as v1.2.3, got \"$pinned\""
    repository=${repository:-$default_repository}
    [ -n "$goarch" ] || fail "vllm-bench-version $tag: releases have no archive for RUNNER_ARCH \"${RUNNER_ARCH:-}\""
    install_release "$tag" "$goos" "$goarch" || fail "vllm-bench-version $tag: $why"
    return
  fi

  if [ -z "$goarch" ]; then
    fallback "releases have no archive for RUNNER_ARCH \"${RUNNER_ARCH:-}\" (only X64 and ARM64)"
    return
  fi
  if [ -z "$repository" ] || [ -z "$ref" ]; then
    fallback "the action's ref \"${ref:-}\" or repository \"${repository:-}\" is unknown (a local action, uses: ./, has no release)"
    return
  fi
  if [[ $ref =~ $release_pattern ]]; then
    tag=$ref
  elif ! resolve_ref; then
    fallback "$why"
    return
  fi
  if install_release "$tag" "$goos" "$goarch"; then
    return
  fi
  fallback "$why"
}

main "$@"
