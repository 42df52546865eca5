/* Computes Argon2id COUNT times with libargon2 (argon2id_hash_raw, 32-byte tag): the C
 * side of benches/scripts/callgrind-argon2.sh. Usage: argon2_once M T P COUNT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "argon2.h"

int main(int argc, char **argv) {
    const char *password = "correct horse battery staple";
    const char *salt = "0123456789abcdef";
    unsigned char tag[32];
    int i, count;
    if (argc != 5) {
        fprintf(stderr, "usage: %s M T P COUNT\n", argv[0]);
        return 2;
    }
    count = atoi(argv[4]);
    for (i = 0; i < count; i++) {
        int rc = argon2id_hash_raw((uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[1]),
                                   (uint32_t)atoi(argv[3]), password, strlen(password),
                                   salt, strlen(salt), tag, sizeof tag);
        if (rc != ARGON2_OK) {
            fprintf(stderr, "argon2id_hash_raw: %s\n", argon2_error_message(rc));
            return 1;
        }
    }
    for (i = 0; i < 32; i++) printf("%02x", tag[i]);
    printf("\n");
    return 0;
}
