#!/usr/bin/env bash
# Packs StaticAssets.Tasks and StaticAssets.AspNetCore into artifacts/packages under a fresh version (NuGet caches a package by id + version,
# so reusing one would restore a stale build), then publishes samples/SampleWebApp with it, the way a user would.
# Extra arguments go to `dotnet publish`, e.g. -p:StaticAssetsDestination=/tmp/cdn -p:StaticAssetsDryRun=true
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version="0.1.0-dev.$(date -u +%Y%m%d%H%M%S)"

for package in StaticAssets.Tasks StaticAssets.AspNetCore; do
  echo "== Packing $package $version into artifacts/packages"
  dotnet pack "$root/src/$package/$package.csproj" -c Release --nologo -o "$root/artifacts/packages" -p:Version="$version"
done

echo "== Publishing samples/SampleWebApp"
dotnet publish "$root/samples/SampleWebApp/SampleWebApp.csproj" -c Release --nologo \
  -o "$root/artifacts/sample-publish" -p:StaticAssetsTasksVersion="$version" "$@"

echo
echo "Published app:      $root/artifacts/sample-publish/"
echo "Manifest:           $root/artifacts/sample-publish/staticassets.manifest.json"
echo "Static assets:      $root/artifacts/sample-publish/static-assets/ (unless StaticAssetsDestination says otherwise)"
