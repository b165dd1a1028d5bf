#!/usr/bin/env bash
# Installs vllm-bench for the GitHub Action at $RUNNER_TEMP/vllm-bench.
#
#   scripts/install.sh           install the release of the action's ref, or build
#   scripts/install.sh --build   build from source (the action runs it after setup-go)
#
# Which release: the one given by VLLM_BENCH_VERSION (the action's
# vllm-bench-version input) if set; else the action's ref when it is a
# release tag (v1.2.3); else, for a major tag (v1), a branch or a commit SHA,
# the newest release tag vX.Y.Z that points at the same commit, read from the
# repository's tag list. The archive and checksums.txt come from
# $GITHUB_SERVER_URL/<repository>/releases/download/<tag>/, and the archive's
# sha256 must match its line in checksums.txt.
#
# When the ref has no release (a branch or SHA that no release tag points at,
# or a local `uses: ./`), it builds from the action's own source with the Go
# found on the machine, and leaves PATH alone. When there is no usable Go, it
# writes go-version=<the version go.mod asks for> to $GITHUB_OUTPUT and exits
# 0: the action then sets up that Go and runs this script with --build.
#
# Environment: GITHUB_ACTION_REF and GITHUB_ACTION_REPOSITORY (overridden by
# VLLM_BENCH_ACTION_REF and VLLM_BENCH_ACTION_REPOSITORY, which action.yml
# sets because a composite action's own steps see the GITHUB_ pair empty),
# GITHUB_SERVER_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, VLLM_BENCH_VERSION,
# GITHUB_OUTPUT (optional: receives version=, source= and go-version=).
# Exit status: 0 installed (or Go must be set up first), 1 failure, 2 usage.
set -euo pipefail

# The variable the version is stamped into; scripts/release.sh uses the same.
version_symbol=github.com/vllm-bench-action/vllm-bench-action/internal/app.Version
# Where a pinned version is downloaded from when the action is used from a
# local path and so has no repository of its own.
default_repository=vllm-bench-action/vllm-bench-action

root=$(cd "$(dirname "$0")/.." && pwd)
ref=${VLLM_BENCH_ACTION_REF:-${GITHUB_ACTION_REF:-}}
repository=${VLLM_BENCH_ACTION_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}
server=${GITHUB_SERVER_URL:-https://github.com}
server=${server%/}
pinned=${VLLM_BENCH_VERSION:-}

# fail prints a one-line error (an annotation on GitHub) and exits 1.
fail() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    echo "::error title=vllm-bench install::$*" >&2
  else
    echo "install.sh: $*" >&2
  fi
  exit 1
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
# server answers 404, 1 on any other failure (with the reason on stderr).
fetch() {
  local url=$1 file=$2 code rc
  if command -v curl >/dev/null; then
    rc=0
    code=$(curl -sSL --retry 3 --retry-delay 2 --connect-timeout 20 --max-time 600 \
      -o "$file" -w '%{http_code}' "$url") || rc=$?
    if [ "$rc" -ne 0 ]; then
      echo "download of $url failed (curl exit $rc)" >&2
      return 1
    fi
    case $code in
      200) return 0 ;;
      404) return 3 ;;
      *)
        echo "download of $url failed: HTTP $code" >&2
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
        echo "download of $url failed (wget exit $rc)" >&2
        return 1
        ;;
    esac
  else
    fail "neither curl nor wget is installed; cannot download vllm-bench"
  fi
}

# tag_for_commit prints the newest release tag vX.Y.Z that points at the same
# commit as the ref, from the repository's advertised refs (git's smart HTTP
# protocol), or nothing.
tag_for_commit() {
  local refs=$tmp/refs
  if ! fetch "$server/$repository.git/info/refs?service=git-upload-pack" "$refs"; then
    note "could not read the tags of $repository; building from source"
    return 0
  fi
  # Each advertised ref is a pkt-line "<4 hex length><40 hex sha> <name>";
  # the first one carries capabilities after a NUL byte.
  tr '\0' '\n' <"$refs" |
    sed -n 's/^\(0000\)\{0,1\}[0-9a-f]\{4\}\([0-9a-f]\{40\}\) \(refs\/[^ ]*\)$/\2 \3/p' >"$tmp/refs.txt"
  awk -v ref="$ref" '
    { sha[$2] = $1 }
    END {
      if (length(ref) == 40 && ref !~ /[^0-9a-f]/) commit = ref
      else if (("refs/tags/" ref "^{}") in sha) commit = sha["refs/tags/" ref "^{}"]
      else if (("refs/tags/" ref) in sha) commit = sha["refs/tags/" ref]
      else if (("refs/heads/" ref) in sha) commit = sha["refs/heads/" ref]
      else exit
      for (name in sha) {
        tag = name
        peeled = substr(name, length(name) - 2) == "^{}"
        if (peeled) tag = substr(name, 1, length(name) - 3)
        if (tag !~ /^refs\/tags\/v[0-9]+\.[0-9]+\.[0-9]+$/) continue
        # An annotated tag points at the commit through its peeled line.
        if (!peeled && ((tag "^{}") in sha)) continue
        if (sha[name] == commit) print substr(tag, 11)
      }
    }' "$tmp/refs.txt" | sort -V | tail -n 1
}

# install_release TAG OS ARCH: status 0 installed, 3 the release or this
# platform's archive is not there; any other failure exits. Its callers
# test its status, which turns off set -e inside it: every step is checked.
install_release() {
  local tag=$1 goos=$2 goarch=$3 archive expected actual installed rc
  local base="$server/$repository/releases/download/$tag"
  archive="vllm-bench_${tag#v}_${goos}_${goarch}.tar.gz"
  rc=0
  fetch "$base/checksums.txt" "$tmp/checksums.txt" || rc=$?
  case $rc in
    0) ;;
    3)
      note "no release $tag at $base"
      return 3
      ;;
    *) fail "could not download checksums.txt of release $tag from $base" ;;
  esac
  expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/checksums.txt")
  if [ -z "$expected" ]; then
    note "release $tag has no archive for ${goos}/${goarch} ($archive is not in checksums.txt)"
    return 3
  fi
  rc=0
  fetch "$base/$archive" "$tmp/$archive" || rc=$?
  [ "$rc" -eq 0 ] || fail "could not download $archive from $base, which checksums.txt lists"
  actual=$(sha256 "$tmp/$archive") || exit 1
  if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for $archive of release $tag: checksums.txt says sha256 $expected, the download has sha256 $actual"
  fi
  mkdir "$tmp/unpacked" || exit 1
  tar -xzf "$tmp/$archive" -C "$tmp/unpacked" vllm-bench || fail "$archive has no vllm-bench binary"
  chmod 0755 "$tmp/unpacked/vllm-bench" || exit 1
  installed=$("$tmp/unpacked/vllm-bench" --version) || fail "vllm-bench of $archive does not run on this machine"
  mv -f "$tmp/unpacked/vllm-bench" "$dest" || fail "could not install vllm-bench at $dest"
  output version "$tag"
  output source release
  note "installed $installed from release $tag (sha256 $actual)"
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

build() {
  local stamp=${ref:-dev} built
  note "building vllm-bench $stamp from source with $(go env GOVERSION) (go.mod asks for go $need_go)"
  (cd "$root" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X $version_symbol=$stamp" -o "$dest" ./cmd/vllm-bench) ||
    fail "go build of $root/cmd/vllm-bench failed"
  built=$("$dest" --version) || fail "the built $dest does not run"
  output version "$stamp"
  output source build
  note "built $built"
}

main() {
  [ -n "${RUNNER_TEMP:-}" ] || fail "RUNNER_TEMP is not set; run this script from the action, or set RUNNER_TEMP to the install directory"
  [ -d "$RUNNER_TEMP" ] || fail "RUNNER_TEMP \"$RUNNER_TEMP\" is not a directory"
  dest=$RUNNER_TEMP/vllm-bench
  need_go=$(awk '$1 == "go" { print $2; exit }' "$root/go.mod")
  tmp=$(mktemp -d "$RUNNER_TEMP/vllm-bench-install.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT

  case ${1:-} in
    --build)
      go_usable || fail "no usable Go to build vllm-bench (go.mod asks for go $need_go)"
      build
      return
      ;;
    "") ;;
    *)
      echo "usage: scripts/install.sh [--build]" >&2
      exit 2
      ;;
  esac

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
    *) goarch="" ;; # no release archive; built from source below
  esac

  if [ -n "$pinned" ]; then
    tag=v${pinned#v}
    [[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
      fail "vllm-bench-version must be a release such as v1.2.3, got \"$pinned\""
    repository=${repository:-$default_repository}
    [ -n "$goarch" ] || fail "vllm-bench-version $tag: releases have no archive for RUNNER_ARCH \"${RUNNER_ARCH:-}\""
    install_release "$tag" "$goos" "$goarch" ||
      fail "vllm-bench-version $tag: no archive for ${goos}/${goarch} at $server/$repository/releases/download/$tag"
    return
  fi

  if [ -n "$repository" ] && [ -n "$ref" ] && [ -n "$goarch" ]; then
    if [[ $ref =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
      tag=$ref
    else
      tag=$(tag_for_commit)
    fi
  fi
  if [ -n "$tag" ] && install_release "$tag" "$goos" "$goarch"; then
    return
  fi

  note "no release for ref \"${ref:-(local action)}\"; building from source"
  if go_usable; then
    build
  elif [ -n "${GITHUB_OUTPUT:-}" ]; then
    note "no usable Go on this machine; the action sets up Go $need_go to build"
    output go-version "$need_go"
  else
    fail "no release for ref \"${ref:-(local action)}\" and no usable Go to build from source (go.mod asks for go $need_go)"
  fi
}

main "$@"
