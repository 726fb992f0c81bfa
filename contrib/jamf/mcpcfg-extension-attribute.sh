#!/bin/sh
# Jamf Pro extension attribute (Settings > Computer management > Extension attributes, input
# type "Script"): reports whether the logged-in user's MCP client configs are healthy, as
#   <result>healthy</result>
#   <result>errors 2, warnings 0: tsh-managed-update-path</result>
#   <result>no user logged in</result> | <result>mcpcfg not installed</result>
#   <result>mcpcfg failed: <its message></result>
# Jamf runs it as root at each inventory update; mcpcfg runs as the user, on the user's home,
# and only reads (`mcpcfg check`). Pair it with a policy that runs, as the user,
# `mcpcfg fix-config` on the computers of a smart group "result is not healthy".
# Jamf reads the <result> line; the exit status is always 0.

MCPCFG="${MCPCFG:-/usr/local/bin/mcpcfg}"
PLUTIL="${PLUTIL:-/usr/bin/plutil}"

result() {
  echo "<result>$1</result>"
  exit 0
}

[ -x "$MCPCFG" ] || result "mcpcfg not installed"

user=$(stat -f%Su /dev/console 2>/dev/null)
case "$user" in
  "" | root | loginwindow | _mbsetupuser) result "no user logged in" ;;
esac
home=$(dscl . -read "/Users/$user" NFSHomeDirectory 2>/dev/null | awk '{print $2}')
[ -d "$home" ] || result "no home folder for $user"

json=$(sudo -u "$user" "$MCPCFG" check --format json --home "$home" 2>/dev/null)
status=$?
# plutil reads JSON too (macOS 12 and later): no jq needed.
field() {
  printf '%s' "$json" | "$PLUTIL" -extract "$1" raw -o - - 2>/dev/null
}
problems() {
  errors=$(field summary.errors)
  warnings=$(field summary.warnings)
  codes=$(printf '%s' "$json" | grep -o '"code": *"[a-z-]*"' | sed 's/.*"\([a-z-]*\)"$/\1/' | sort -u | paste -sd, -)
  result "errors ${errors:-?}, warnings ${warnings:-?}: $codes"
}
case "$status" in
  0) result "healthy" ;;
  1) problems ;;
  *)
    # A run that stopped says why in its one JSON document; a config it cannot parse is a
    # finding of the report instead.
    message=$(field error.message)
    [ -n "$message" ] || problems
    result "mcpcfg failed: $message"
    ;;
esac
