; Windows installer of 南阳跨境电商填报 (NSIS 3, Unicode, MUI2, Simplified Chinese).
;
; Per-user install into %LOCALAPPDATA%\Programs without administrator rights by default; an
; all-users install into Program Files is offered and re-launches the installer elevated.
; Data never lives here: the program keeps it in %LOCALAPPDATA%\nanyang-cbec of each user, so
; installing, upgrading and uninstalling leave it alone unless the clerk ticks the box in the
; uninstaller. Names, version and paths come in as /D defines from installers/buildinfo.py:
;   makensis <defines from `python installers/buildinfo.py nsis-defines PAYLOAD`> setup.nsi
; where PAYLOAD is the PyInstaller folder (build\dist\cbec). build.ps1 does exactly that.

Unicode true
ManifestDPIAware true
Target amd64-unicode          ; Qt 6 runs on 64-bit Windows only
SetCompressor /SOLID lzma

!macro REQUIRE NAME
  !ifndef ${NAME}
    !error "missing -D${NAME}=... (run installers/windows/build.ps1, or see installers/buildinfo.py nsis-defines)"
  !endif
!macroend
!insertmacro REQUIRE PAYLOAD
!insertmacro REQUIRE VERSION
!insertmacro REQUIRE VERSION_QUAD
!insertmacro REQUIRE PRODUCT_NAME
!insertmacro REQUIRE SHORT_NAME
!insertmacro REQUIRE COMPANY
!insertmacro REQUIRE APP_ID
!insertmacro REQUIRE GUI_EXE
!insertmacro REQUIRE CLI_EXE
!insertmacro REQUIRE INSTALL_DIR_NAME
!insertmacro REQUIRE START_MENU_FOLDER
!insertmacro REQUIRE FILE_EXT
!insertmacro REQUIRE FILE_TYPE_NAME
!insertmacro REQUIRE ICON
!ifndef OUTFILE
  ; ASCII name: mail gateways and USB sticks formatted long ago mangle Chinese file names.
  !define OUTFILE "${APP_ID}-${VERSION}-setup.exe"
!endif

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define PROGID "NanyangCbec.Package"
!define SHCNE_ASSOCCHANGED 0x08000000

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include WordFunc.nsh
!include nsDialogs.nsh
!include x64.nsh

Name "${SHORT_NAME}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
BrandingText "${COMPANY}"
ShowInstDetails show
ShowUninstDetails show

Var AllUsers         ; 1 = all users (Program Files, HKLM), else this user only
Var CmdInstDir       ; /D=... from the command line, wins over the defaults
Var DataDir          ; this clerk's data folder (platformdirs user_data_dir, not roaming)
Var OldInstDir       ; an installed copy found in the registry (upgrade)
Var OldVersion
Var OldAllUsers
Var UpgradeNote
Var ScopeUserRadio
Var ScopeAllRadio
Var RemoveDataBox
Var RemoveData

; ---- pages ----------------------------------------------------------------------------------
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TITLE "欢迎安装 ${SHORT_NAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "本向导将在这台电脑上安装 ${PRODUCT_NAME}。$\r$\n$\r$\n$UpgradeNote填报数据保存在每位用户自己的数据文件夹中，安装、升级和卸载都不会改动它。$\r$\n$\r$\n点击“下一步”继续。"
!insertmacro MUI_PAGE_WELCOME
Page custom ScopePage ScopePageLeave
!define MUI_PAGE_CUSTOMFUNCTION_PRE DirectoryPre
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "现在启动 ${SHORT_NAME}"
!define MUI_FINISHPAGE_RUN_FUNCTION LaunchProgram
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DataPage un.DataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION_QUAD}"
VIFileVersion "${VERSION_QUAD}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "${PRODUCT_NAME}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "${COMPANY}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${SHORT_NAME} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "${COMPANY}"

; ---- shared helpers -------------------------------------------------------------------------
; Wait until the program is closed: a running .exe cannot be opened for writing.
!macro WAIT_NOT_RUNNING UN
Function ${UN}WaitNotRunning
  retry:
  ${If} ${FileExists} "$INSTDIR\${GUI_EXE}"
    ClearErrors
    FileOpen $0 "$INSTDIR\${GUI_EXE}" a
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${SHORT_NAME} 正在运行。$\r$\n请先关闭程序窗口，再点击“重试”。" /SD IDCANCEL IDRETRY retry
      Abort "${SHORT_NAME} 正在运行，未作改动。"
    ${EndIf}
    FileClose $0
  ${EndIf}
FunctionEnd
!macroend
!insertmacro WAIT_NOT_RUNNING ""
!insertmacro WAIT_NOT_RUNNING "un."

; Re-run the given program elevated ("runas"); quits this copy when the prompt was accepted.
!macro RELAUNCH_ELEVATED PROGRAM ARGS REFUSED
  ClearErrors
  ExecShell "runas" "${PROGRAM}" "${ARGS}"
  ${If} ${Errors}
    MessageBox MB_OK|MB_ICONEXCLAMATION "${REFUSED}" /SD IDOK
  ${Else}
    Quit
  ${EndIf}
!macroend

; ---- installer ------------------------------------------------------------------------------
Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "${SHORT_NAME} 需要 64 位的 Windows 10 或更高版本。" /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  StrCpy $CmdInstDir $INSTDIR   ; empty unless /D= was given (there is no InstallDir default)
  SetShellVarContext current
  StrCpy $DataDir "$LOCALAPPDATA\${APP_ID}"

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    StrCpy $AllUsers 1
  ${EndIf}

  ReadRegStr $OldInstDir HKCU "${UNINST_KEY}" "InstallLocation"
  StrCpy $OldAllUsers 0
  ${If} $OldInstDir == ""
    ReadRegStr $OldInstDir HKLM "${UNINST_KEY}" "InstallLocation"
    ${If} $OldInstDir != ""
      StrCpy $OldAllUsers 1
      StrCpy $AllUsers 1
    ${EndIf}
  ${EndIf}
  ${If} $OldInstDir != ""
    ${If} $OldAllUsers == 1
      ReadRegStr $OldVersion HKLM "${UNINST_KEY}" "DisplayVersion"
    ${Else}
      ReadRegStr $OldVersion HKCU "${UNINST_KEY}" "DisplayVersion"
    ${EndIf}
    StrCpy $UpgradeNote "已安装版本 $OldVersion，将在原位置（$OldInstDir）升级到 ${VERSION}。$\r$\n$\r$\n"
    ${VersionCompare} $OldVersion "${VERSION}" $R2
    ${If} $R2 == 1
      MessageBox MB_YESNO|MB_ICONEXCLAMATION "已安装的版本 $OldVersion 比本安装程序（${VERSION}）新。$\r$\n降级后，新版本写过的数据库可能无法用旧版本打开。$\r$\n仍要继续安装吗？" /SD IDNO IDYES +2
      Abort
    ${EndIf}
  ${EndIf}
  Call ApplyScope
FunctionEnd

; Install folder and registry hive for the chosen scope (SHCTX follows SetShellVarContext).
Function ApplyScope
  ${If} $AllUsers == 1
    SetShellVarContext all
    StrCpy $INSTDIR "$PROGRAMFILES64\${INSTALL_DIR_NAME}"
  ${Else}
    SetShellVarContext current
    StrCpy $INSTDIR "$LOCALAPPDATA\Programs\${INSTALL_DIR_NAME}"
  ${EndIf}
  ${If} $OldInstDir != ""
  ${AndIf} $OldAllUsers == $AllUsers
    StrCpy $INSTDIR $OldInstDir
  ${ElseIf} $CmdInstDir != ""
    StrCpy $INSTDIR $CmdInstDir
  ${EndIf}
FunctionEnd

Function ScopePage
  ${If} $OldInstDir != ""     ; an upgrade keeps the scope it was installed with
  ${OrIf} $AllUsers == 1      ; already chosen (/ALLUSERS, or the elevated re-launch)
    Abort
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "安装范围" "选择为谁安装 ${SHORT_NAME}。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 40u "数据始终保存在每位用户自己的数据文件夹中：$\r$\n$DataDir$\r$\n而不在程序文件夹里。"
  Pop $0
  ${NSD_CreateRadioButton} 0 48u 100% 14u "仅为我安装（推荐，不需要管理员权限）"
  Pop $ScopeUserRadio
  ${NSD_CreateRadioButton} 0 68u 100% 14u "为这台电脑的所有用户安装（需要管理员权限）"
  Pop $ScopeAllRadio
  ${NSD_Check} $ScopeUserRadio
  nsDialogs::Show
FunctionEnd

Function ScopePageLeave
  ${NSD_GetState} $ScopeAllRadio $0
  ${If} $0 == ${BST_CHECKED}
    UserInfo::GetAccountType
    Pop $1
    ${If} $1 == "Admin"
      StrCpy $AllUsers 1
    ${Else}
      !insertmacro RELAUNCH_ELEVATED "$EXEPATH" "/ALLUSERS" "没有获得管理员权限，无法为所有用户安装。$\r$\n请选择“仅为我安装”，或请管理员帮助安装。"
      Abort
    ${EndIf}
  ${Else}
    StrCpy $AllUsers 0
  ${EndIf}
  Call ApplyScope
FunctionEnd

Function DirectoryPre
  ${If} $OldInstDir != ""
    Abort   ; upgrades go over the installed copy
  ${EndIf}
FunctionEnd

Function LaunchProgram
  ${If} $AllUsers == 1
    ; This installer runs elevated: let Explorer start the program as the signed-in clerk.
    Exec '"$WINDIR\explorer.exe" "$INSTDIR\${GUI_EXE}"'
  ${Else}
    Exec '"$INSTDIR\${GUI_EXE}"'
  ${EndIf}
FunctionEnd

Section "-program" SecProgram
  SetOutPath "$INSTDIR"
  Call WaitNotRunning
  ${If} $OldInstDir != ""
    ; Remove the old program files so nothing stale is left behind. The data folder is not
    ; under $INSTDIR, and a clerk's own files in $INSTDIR are not touched either.
    DetailPrint "正在移除旧版本 $OldVersion 的程序文件……"
    RMDir /r "$INSTDIR\_internal"
    Delete "$INSTDIR\${GUI_EXE}"
    Delete "$INSTDIR\${CLI_EXE}"
  ${EndIf}
  File /r "${PAYLOAD}\*"
  Delete "$INSTDIR\portable"   ; an installed program keeps data per user
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${START_MENU_FOLDER}"
  CreateShortcut "$SMPROGRAMS\${START_MENU_FOLDER}\${SHORT_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
  CreateShortcut "$SMPROGRAMS\${START_MENU_FOLDER}\卸载 ${SHORT_NAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${SHORT_NAME}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0

  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayName" "${PRODUCT_NAME}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINST_KEY}" "Publisher" "${COMPANY}"
  WriteRegStr SHCTX "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE},0"
  WriteRegStr SHCTX "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr SHCTX "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINST_KEY}" "EstimatedSize" "$0"

  ; Double-clicking a data package opens the program, which shows the import preview.
  WriteRegStr SHCTX "Software\Classes\${FILE_EXT}" "" "${PROGID}"
  WriteRegStr SHCTX "Software\Classes\${FILE_EXT}\OpenWithProgids" "${PROGID}" ""
  WriteRegStr SHCTX "Software\Classes\${PROGID}" "" "${FILE_TYPE_NAME}"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\${GUI_EXE},0"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open" "" "用 ${SHORT_NAME} 导入"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\${GUI_EXE}" "%1"'
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'
SectionEnd

; ---- uninstaller ----------------------------------------------------------------------------
Function un.onInit
  SetRegView 64
  SetShellVarContext current
  StrCpy $DataDir "$LOCALAPPDATA\${APP_ID}"   ; before any switch to the all-users context
  StrCpy $AllUsers 0
  ReadRegStr $0 HKLM "${UNINST_KEY}" "InstallLocation"
  ${If} $0 == $INSTDIR
    StrCpy $AllUsers 1
    UserInfo::GetAccountType
    Pop $1
    ${If} $1 != "Admin"
      !insertmacro RELAUNCH_ELEVATED "$INSTDIR\uninstall.exe" "" "${SHORT_NAME} 是为所有用户安装的，卸载需要管理员权限。"
      Abort
    ${EndIf}
    SetShellVarContext all
  ${EndIf}
FunctionEnd

Function un.DataPage
  !insertmacro MUI_HEADER_TEXT "数据文件夹" "程序文件将被删除；数据文件夹默认保留。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 52u "您的台账、填报数据、备份和日志保存在：$\r$\n$DataDir$\r$\n默认保留：重新安装或升级后可以继续使用，也可以复制到新电脑。"
  Pop $0
  ${NSD_CreateCheckbox} 0 60u 100% 14u "同时删除我的数据文件夹（无法恢复，请先导出备份）"
  Pop $RemoveDataBox
  ${IfNot} ${FileExists} "$DataDir\*.*"
    EnableWindow $RemoveDataBox 0
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function un.DataPageLeave
  ${NSD_GetState} $RemoveDataBox $RemoveData
FunctionEnd

Section "Uninstall"
  Call un.WaitNotRunning
  Delete "$DESKTOP\${SHORT_NAME}.lnk"
  Delete "$SMPROGRAMS\${START_MENU_FOLDER}\${SHORT_NAME}.lnk"
  Delete "$SMPROGRAMS\${START_MENU_FOLDER}\卸载 ${SHORT_NAME}.lnk"
  RMDir "$SMPROGRAMS\${START_MENU_FOLDER}"

  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"   ; only when empty: files the clerk put there stay

  ReadRegStr $0 SHCTX "Software\Classes\${FILE_EXT}" ""
  ${If} $0 == "${PROGID}"
    DeleteRegKey SHCTX "Software\Classes\${FILE_EXT}"
  ${Else}
    DeleteRegValue SHCTX "Software\Classes\${FILE_EXT}\OpenWithProgids" "${PROGID}"
  ${EndIf}
  DeleteRegKey SHCTX "Software\Classes\${PROGID}"
  DeleteRegKey SHCTX "${UNINST_KEY}"
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'

  ; Silent uninstalls (/S) never show the box, so they always keep the data.
  ${If} $RemoveData == ${BST_CHECKED}
    DetailPrint "正在删除数据文件夹 $DataDir"
    RMDir /r "$DataDir"
  ${Else}
    DetailPrint "数据文件夹已保留：$DataDir"
  ${EndIf}
SectionEnd
