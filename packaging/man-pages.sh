#!/bin/sh
# Writes a man page for docgen and for each of its commands (docgen-serve.1,
# docgen-catalog-lint.1, ...), made by help2man from their --help, gzipped
# for installing under share/man/man1. The commands are read from the
# "Subcommands:" lists of --help, so a new command gets its page unasked.
# SOURCE_DATE_EPOCH, when set, dates the pages (reproducible builds).
#   packaging/man-pages.sh DOCGEN OUT_DIR VERSION
set -eu
[ $# -eq 3 ] || { echo "usage: $0 DOCGEN OUT_DIR VERSION" >&2; exit 64; }
docgen=$(realpath "$1")
out=$2
version=$3
mkdir -p "$out"
out=$(realpath "$out")
wrappers=$(mktemp -d)
trap 'rm -rf "$wrappers"' EXIT

# The commands listed under "Subcommands:" in the help of `docgen WORDS`,
# one "NAME<TAB>SUMMARY" a line.
subcommands() {
  "$docgen" "$@" --help | awk '
    /^Subcommands:/ { listing = 1; next }
    listing && /^  [a-z]/ { name = $1; sub(/^  [^ ]+ +/, ""); print name "\t" $0; next }
    listing && !/^  / { listing = 0 }'
}

# One page: a wrapper named like the page runs `docgen WORDS`, so help2man
# titles it DOCGEN-WORDS.
page() {
  # NAME's line: the summary's first clause, without asides in brackets.
  summary=$(printf '%s' "$1" | sed -e 's/ *([^)]*)//g' -e 's/[;:.].*//' -e 's/^./\L&/')
  shift
  name=docgen
  for word in "$@"; do name="$name-$word"; done
  printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$docgen" "$*" > "$wrappers/$name"
  chmod +x "$wrappers/$name"
  printf '[SEE ALSO]\n.BR docgen (1);\nthe guides in\n.IR /usr/share/doc/docgen/ .\n' > "$wrappers/see-also"
  LC_ALL=C.UTF-8 help2man --no-info --locale=C.UTF-8 --version-string="$version" \
    --name="$summary" --include="$wrappers/see-also" "$wrappers/$name" > "$wrappers/$name.1"
  gzip -9n < "$wrappers/$name.1" > "$out/$name.1.gz"
  subcommands "$@" | while IFS="$(printf '\t')" read -r sub sub_summary; do
    page "$sub_summary" "$@" "$sub"
  done
}

page "insurance policy documents: decide, check and produce the package for a quote"
