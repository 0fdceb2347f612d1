# test_cli.sh: the binary's dispatch, help and version.
. "$(dirname "$0")/lib.sh"

check "--help exits 0" "$CS" --help
check "--version exits 0" "$CS" --version
"$CS" --version >"$T/v"; check_grep "--version prints the version" '^creditscore [0-9]+\.[0-9]+\.[0-9]+$' "$T/v"
check_fails "no command is a usage error" 2 "$CS"
check_fails "unknown command is a usage error" 2 "$CS" no-such-command
"$CS" no-such-command 2>"$T/e"; check_grep "unknown command is named" "no-such-command" "$T/e"
# every listed command answers --help with exit 0
for c in $("$CS" --help | sed -n '/^commands:/,$p' | awk 'NR>1 && NF {print $1}'); do
  check "$c --help" "$CS" "$c" --help
done
