/* Test scaffolding for Wine only; never shipped. Stands in for aws-vault in Credential Manager,
 * writing generic credentials exactly as its keyring library does (danieljoos/wincred's
 * NewGenericCredential and Write): type CRED_TYPE_GENERIC, persistence CRED_PERSIST_LOCAL_MACHINE,
 * empty user name, comment and alias, no attributes, flags 0, and the item's bytes as the blob.
 * Also lists credentials (so a test can check that nothing of aws-vault's changed) and deletes
 * them (so each test cleans up in its Wine prefix). scripts/test-windows.sh builds it.
 *
 *   credwrite write TARGET FILE   the blob is FILE's bytes, exactly
 *   credwrite list FILTER         one line per match: TARGET, tab, user name, tab, blob in hex
 *   credwrite delete TARGET
 */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <stdlib.h>

static void print_utf8(const wchar_t *text) {
    char buffer[4096];
    int n = WideCharToMultiByte(CP_UTF8, 0, text ? text : L"", -1, buffer, sizeof buffer, NULL,
                                NULL);
    fputs(n > 0 ? buffer : "?", stdout);
}

static int fail(const char *what) {
    fprintf(stderr, "credwrite: %s failed: Windows error %lu\n", what, GetLastError());
    return 1;
}

static int write_credential(const wchar_t *target, const wchar_t *path) {
    FILE *file = _wfopen(path, L"rb");
    if (!file) {
        fprintf(stderr, "credwrite: cannot open the blob file\n");
        return 1;
    }
    static BYTE blob[CRED_MAX_CREDENTIAL_BLOB_SIZE + 1];
    size_t size = fread(blob, 1, sizeof blob, file);
    fclose(file);
    if (size > CRED_MAX_CREDENTIAL_BLOB_SIZE) {
        fprintf(stderr, "credwrite: the blob is larger than Credential Manager takes\n");
        return 1;
    }
    wchar_t empty[] = L"";
    CREDENTIALW cred = {0};
    cred.Type = CRED_TYPE_GENERIC;
    cred.TargetName = (LPWSTR)target;
    cred.Comment = empty;
    cred.CredentialBlobSize = (DWORD)size;
    cred.CredentialBlob = size ? blob : NULL;
    cred.Persist = CRED_PERSIST_LOCAL_MACHINE;
    cred.TargetAlias = empty;
    cred.UserName = empty;
    return CredWriteW(&cred, 0) ? 0 : fail("CredWriteW");
}

static int list_credentials(const wchar_t *filter) {
    DWORD count = 0;
    PCREDENTIALW *creds = NULL;
    if (!CredEnumerateW(filter, 0, &count, &creds)) {
        return GetLastError() == ERROR_NOT_FOUND ? 0 : fail("CredEnumerateW");
    }
    for (DWORD i = 0; i < count; i++) {
        /* Wine packs the structures at 4-byte boundaries: copy each one out before reading. */
        CREDENTIALW cred;
        memcpy(&cred, creds[i], sizeof cred);
        print_utf8(cred.TargetName);
        putchar('\t');
        print_utf8(cred.UserName);
        putchar('\t');
        for (DWORD b = 0; b < cred.CredentialBlobSize; b++) {
            printf("%02x", cred.CredentialBlob[b]);
        }
        putchar('\n');
    }
    CredFree(creds);
    return 0;
}

int wmain(int argc, wchar_t **argv) {
    if (argc == 4 && !wcscmp(argv[1], L"write")) {
        return write_credential(argv[2], argv[3]);
    }
    if (argc == 3 && !wcscmp(argv[1], L"list")) {
        return list_credentials(argv[2]);
    }
    if (argc == 3 && !wcscmp(argv[1], L"delete")) {
        return CredDeleteW(argv[2], CRED_TYPE_GENERIC, 0) ? 0 : fail("CredDeleteW");
    }
    fprintf(stderr, "usage: credwrite write TARGET FILE | list FILTER | delete TARGET\n");
    return 2;
}
