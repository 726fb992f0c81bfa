# Intune remediation (Devices > Scripts and remediations), remediation script: runs
# `mcpcfg fix-config` for the logged-on user (the same settings as Detect-Mcpcfg.ps1).
# Exit 0 when the repair went through (errors it cannot mend, such as a tsh too old, are
# written out but are no failure of the remediation); exit 1 when mcpcfg stopped (a config it
# cannot parse, a write that failed, a config that changed meanwhile), with its message.

# Intune uploads and runs each script on its own: the two share no code, by necessity.
$ErrorActionPreference = 'Stop'

$mcpcfg = Join-Path $env:ProgramFiles 'mcpcfg\mcpcfg.exe'
if (-not (Test-Path $mcpcfg)) {
    $onPath = Get-Command 'mcpcfg.exe' -ErrorAction SilentlyContinue
    if (-not $onPath) {
        Write-Output 'mcpcfg is not installed'
        exit 1
    }
    $mcpcfg = $onPath.Source
}

$out = & $mcpcfg fix-config --format json 2>$null | Out-String
$status = $LASTEXITCODE
try {
    $doc = $out | ConvertFrom-Json
} catch {
    Write-Output "mcpcfg printed no JSON (exit status $status)"
    exit 1
}
if ($status -ge 2) {
    $why = if ($doc.error) { $doc.error.message } else { ($doc.configs | Where-Object { $_.error } | ForEach-Object { "$($_.path): $($_.error.message)" }) -join '; ' }
    if ($status -eq 3) { $why = "a config changed while mcpcfg worked on it; run again. $why" }
    Write-Output "mcpcfg stopped (exit status $status): $why"
    exit 1
}
$repaired = @($doc.changes).Count
$left = @($doc.findings | Where-Object { $_.severity -eq 'error' } | ForEach-Object { $_.code } | Sort-Object -Unique) -join ', '
if ($left) {
    Write-Output "repaired $repaired; left (see mcpcfg doctor): $left"
} else {
    Write-Output "repaired $repaired; nothing left"
}
exit 0
