<#
.SYNOPSIS
  Builds the Windows program folder (PyInstaller) and the setup (NSIS) on a Windows PC or runner.

.DESCRIPTION
  1. PyInstaller with installers\cbec.spec -> build\dist\cbec (windowed GUI exe + console cbec.exe)
  2. quick check of the frozen programs in a throwaway data folder (init, demo, check, GUI --selftest)
  3. makensis with the defines from installers\buildinfo.py -> build\nanyang-cbec-<version>-setup.exe

  Needs Python 3.11+ with the project installed (pip install -e ".[build]") and NSIS 3
  (https://nsis.sourceforge.io, or: choco install nsis). This file is ASCII on purpose: Windows
  PowerShell 5.1 reads BOM-less scripts in the ANSI code page; Chinese names come from
  installers\product.json through buildinfo.py.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1
.EXAMPLE
  .\installers\windows\build.ps1 -Python C:\Python311\python.exe -SkipBundle
#>
param(
    [string]$Python = "",
    [string]$Makensis = "",
    [switch]$SkipBundle,
    [switch]$SkipCheck
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root
$env:PYTHONUTF8 = "1"
$env:PYTHONIOENCODING = "utf-8"
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8

function Invoke-Checked {
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Find-Python {
    if ($Python) { return $Python }
    $venv = Join-Path $Root ".venv\Scripts\python.exe"
    if (Test-Path $venv) { return $venv }
    $cmd = Get-Command python.exe -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd.Source }
    throw "Python not found: create .venv or pass -Python"
}

function Find-Makensis {
    if ($Makensis) { return $Makensis }
    $cmd = Get-Command makensis.exe -ErrorAction SilentlyContinue
    if ($cmd) { return $cmd.Source }
    foreach ($dir in @(${env:ProgramFiles(x86)}, $env:ProgramFiles)) {
        if ($dir -and (Test-Path (Join-Path $dir "NSIS\makensis.exe"))) { return (Join-Path $dir "NSIS\makensis.exe") }
    }
    throw "makensis.exe not found: install NSIS 3 (choco install nsis) or pass -Makensis"
}

$Py = Find-Python
$Nsis = Find-Makensis
$Dist = Join-Path $Root "build\dist"
$Bundle = Join-Path $Dist "cbec"
$Version = (& $Py installers\buildinfo.py version).Trim()
$Defines = @(& $Py installers\buildinfo.py nsis-defines $Bundle)
if ($LASTEXITCODE -ne 0 -or $Defines.Count -lt 10) { throw "installers\buildinfo.py nsis-defines failed" }
$GuiExe = (($Defines | Where-Object { $_ -like "-DGUI_EXE=*" }) -replace "^-DGUI_EXE=", "")
$CliExe = (($Defines | Where-Object { $_ -like "-DCLI_EXE=*" }) -replace "^-DCLI_EXE=", "")
Write-Host "version $Version, python $Py, makensis $Nsis"

# ---- 1. bundle -------------------------------------------------------------------------------
if (-not $SkipBundle) {
    $t = Get-Date
    Invoke-Checked $Py @("-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", $Dist, "--workpath", (Join-Path $Root "build\pyinstaller"), "installers\cbec.spec")
    $mb = [math]::Round(((Get-ChildItem $Bundle -Recurse -File | Measure-Object Length -Sum).Sum / 1MB), 1)
    Write-Host ("bundle built in {0:N0} s, {1} MB" -f ((Get-Date) - $t).TotalSeconds, $mb)
}
foreach ($exe in @($GuiExe, $CliExe)) {
    if (-not (Test-Path (Join-Path $Bundle $exe))) { throw "$Bundle\$exe is missing" }
}

# ---- 2. quick check of the frozen programs ---------------------------------------------------
if (-not $SkipCheck) {
    $Cli = Join-Path $Bundle $CliExe
    $reported = (& $Cli --version).Trim()
    if ($reported -ne "cbec $Version") { throw "cbec --version says '$reported', expected 'cbec $Version'" }
    $Data = Join-Path $env:TEMP ("cbec-build-check-" + [guid]::NewGuid().ToString("N"))
    try {
        Invoke-Checked $Cli @("--data-dir", $Data, "init", "--unit", "411323")
        Invoke-Checked $Cli @("--data-dir", $Data, "demo", "--scale", "county")
        Invoke-Checked $Cli @("--data-dir", $Data, "check")
        $env:QT_QPA_PLATFORM = "offscreen"
        $t = Get-Date
        $gui = Start-Process -FilePath (Join-Path $Bundle $GuiExe) -ArgumentList @("--data-dir", "`"$Data`"", "--selftest") -Wait -PassThru
        $ms = [int]((Get-Date) - $t).TotalMilliseconds
        Remove-Item Env:\QT_QPA_PLATFORM
        if ($gui.ExitCode -ne 0) { throw "GUI --selftest exited $($gui.ExitCode); see $Data\logs" }
        Write-Host "GUI self-test passed ($ms ms including shutdown)"
        $logs = @(Get-ChildItem (Join-Path $Data "logs") -Filter *.log -ErrorAction SilentlyContinue)
        if ($logs.Count -eq 0) { throw "the GUI wrote no log file in $Data\logs" }
    } finally {
        Remove-Item -Recurse -Force $Data -ErrorAction SilentlyContinue
    }
}

# ---- 3. setup --------------------------------------------------------------------------------
$Out = Join-Path $Root "build\nanyang-cbec-$Version-setup.exe"
Invoke-Checked $Nsis (@("/V3", "/WX", "/INPUTCHARSET", "UTF8") + $Defines + @("/DOUTFILE=$Out", "installers\windows\setup.nsi"))
$mb = [math]::Round((Get-Item $Out).Length / 1MB, 1)
Write-Host "setup: $Out ($mb MB)"
