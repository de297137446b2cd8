#!/usr/bin/env bash
# Build a real kube-apiserver (and, when asked, etcd) from the Go module proxy into
# the ovnlab binary cache, for the integration tests and the local lab.
#
# k8s.io/kubernetes publishes its staging modules (k8s.io/api, k8s.io/apiserver, ...)
# as v0.0.0 requirements that do not exist on the proxy, so `go install ...@vX` fails.
# tools/kube-apiserver/go.mod requires k8s.io/kubernetes and replaces every staging
# module with its published v0.<minor>.<patch>; this script builds from that module.
#
# Idempotent: a cached binary that answers --version is reused and nothing is built.
# Usage: scripts/build-kube-apiserver.sh [--etcd]
#   OVNLAB_BIN_CACHE  cache directory (default ~/.cache/ovnlab/bin)
#   GO                go binary (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${OVNLAB_BIN_CACHE:-$HOME/.cache/ovnlab/bin}"

# Go >= 1.24 (k8s.io/kubernetes 1.34 declares go 1.24.0): $GO, else go on PATH, else
# /usr/local/go/bin/go; Debian 12's own golang (1.19) is too old and is skipped.
go_ok() { # <go binary>
  local v
  [[ -x "$1" ]] || return 1
  v="$("$1" env GOVERSION 2>/dev/null)" || return 1
  v="${v#go}"
  [[ "${v%%.*}" -gt 1 || ( "${v%%.*}" -eq 1 && "$(echo "$v" | cut -d. -f2)" -ge 24 ) ]]
}
go_bin=""
for candidate in "${GO:-}" "$(command -v go || true)" /usr/local/go/bin/go; do
  if [[ -n "$candidate" ]] && go_ok "$candidate"; then go_bin="$candidate"; break; fi
done
want_etcd=0
for arg in "$@"; do
  case "$arg" in
    --etcd) want_etcd=1 ;;
    *) echo "unknown argument: $arg (usage: $0 [--etcd])" >&2; exit 2 ;;
  esac
done

if [[ -z "$go_bin" ]]; then
  echo "Go >= 1.24 not found (tried \$GO, go on PATH, /usr/local/go/bin/go): install it or set GO=/path/to/go" >&2
  exit 1
fi
mkdir -p "$cache"

# Reads the version we pin from the module's go.mod so there is one source of truth.
module_version() { # <module dir> <module path>
  awk -v m="$2" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m && $2 ~ /^v/ { print $2; exit }' "$1/go.mod"
}

build_one() { # <name> <module dir> <package> <module path> <ldflags>
  local name="$1" dir="$2" pkg="$3" mod="$4" ldflags="$5"
  local version out tmp start end
  version="$(module_version "$dir" "$mod")"
  out="$cache/$name-$version"
  if [[ -x "$out" ]] && "$out" --version >/dev/null 2>&1; then
    echo "$name $version: cached at $out (no build needed)"
    return 0
  fi
  echo "$name $version: building $pkg with $("$go_bin" version) (takes minutes on a cold cache)"
  start=$(date +%s)
  tmp="$out.tmp.$$"
  (
    cd "$dir"
    CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--p=2} -trimpath" nice -n 10 \
      "$go_bin" build -ldflags "$ldflags" -o "$tmp" "$pkg"
  )
  mv -f "$tmp" "$out"
  end=$(date +%s)
  echo "$name $version: built $out in $((end - start))s"
  "$out" --version
}

k8s_dir="$here/tools/kube-apiserver"
k8s_version="$(module_version "$k8s_dir" k8s.io/kubernetes)"
k8s_minor="$(echo "$k8s_version" | cut -d. -f2)"
build_one kube-apiserver "$k8s_dir" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes \
  "-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$k8s_minor -X k8s.io/component-base/version.gitTreeState=clean"

if [[ "$want_etcd" == 1 ]]; then
  etcd_dir="$here/tools/etcd"
  build_one etcd "$etcd_dir" go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3 "-s -w"
fi
