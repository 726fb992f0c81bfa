# Intune remediation (Devices > Scripts and remediations), detection script.
# Settings: "Run this script using the logged-on credentials": Yes (mcpcfg then reads the
# user's own configs and writes them as the user); "Run script in 64-bit PowerShell": Yes.
#
# Exit 1 ("issue found": Intune runs Remediate-Mcpcfg.ps1) when `mcpcfg fix-config` would repair
# something, or when mcpcfg cannot read a config (the remediation then reports its message).
# Exit 0 otherwise, also when errors are left that no path repair mends (a tsh too old):
# those are for `mcpcfg doctor`, and remediating again would change nothing.
# The line written is what Intune shows as the detection output.

# Intune uploads and runs each script on its own: the two share no code, by necessity.
$ErrorActionPreference = 'Stop'

function Find-Mcpcfg {
    $installed = Join-Path $env:ProgramFiles 'mcpcfg\mcpcfg.exe'
    if (Test-Path $installed) { return $installed }
    $onPath = Get-Command 'mcpcfg.exe' -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Source }
    return $null
}

$mcpcfg = Find-Mcpcfg
if (-not $mcpcfg) {
    Write-Output 'mcpcfg is not installed'
    exit 0
}

# --dry-run writes nothing and lists the repairs it would make.
$out = & $mcpcfg fix-config --dry-run --format json 2>$null | Out-String
$status = $LASTEXITCODE
try {
    $doc = $out | ConvertFrom-Json
} catch {
    Write-Output "mcpcfg printed no JSON (exit status $status)"
    exit 1
}
if ($status -ge 2) {
    $why = if ($doc.error) { $doc.error.message } else { ($doc.configs | Where-Object { $_.error } | ForEach-Object { "$($_.path): $($_.error.message)" }) -join '; ' }
    Write-Output "mcpcfg cannot check: $why"
    exit 1
}
$repairs = @($doc.changes).Count
if ($repairs -gt 0) {
    Write-Output "$repairs MCP server(s) need a tsh path repair"
    exit 1
}
Write-Output "healthy: $($doc.summary.errors) errors, $($doc.summary.warnings) warnings"
exit 0
