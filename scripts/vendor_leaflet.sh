#!/usr/bin/env bash
# Copies Leaflet (the map of the driver's page) from node_modules/ into dashboard/static/vendor/leaflet/, where
# Django serves it. The copy is committed: the production install (requirements.txt, collectstatic) has no node,
# and the page loads no code from a CDN. Run after changing Leaflet's pinned version in package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/leaflet/package.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
src=node_modules/leaflet
dest=dashboard/static/vendor/leaflet
rm -rf "$dest"
mkdir -p "$dest/images"
# leaflet.js.map too: collectstatic's manifest storage follows the sourceMappingURL comment and fails without it.
cp "$src/dist/leaflet.js" "$src/dist/leaflet.js.map" "$src/dist/leaflet.css" "$src/LICENSE" "$dest/"
cp "$src"/dist/images/*.png "$dest/images/"
version=$(node -p "require('./$src/package.json').version")
echo "$version" > "$dest/VERSION"
echo "vendor-leaflet: Leaflet $version copied to $dest/"
