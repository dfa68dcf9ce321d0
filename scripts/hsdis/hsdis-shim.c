/*
 * Lets HotSpot's -XX:+PrintAssembly use Debian's libhsdis0-fcml, which exports only the old
 * decode_instructions entry point while JDK 9 and later look up decode_instructions_virtual.
 * The JIT's code is decoded where it lies, so the buffer's address stands for the virtual one.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

typedef void *(*event_callback)(void *, const char *, void *);
typedef int (*printf_callback)(void *, const char *, ...);
typedef void *(*old_decoder)(void *, void *, event_callback, void *, printf_callback, void *,
                             const char *);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer,
                                  uintptr_t length, event_callback events, void *event_stream,
                                  printf_callback print, void *print_stream, const char *options,
                                  int newline) {
  static old_decoder decode;
  if (decode == NULL) {
    void *library = dlopen(FCML_HSDIS, RTLD_NOW);
    decode = library != NULL ? (old_decoder)dlsym(library, "decode_instructions") : NULL;
    if (decode == NULL) {
      fprintf(stderr, "hsdis shim: cannot load decode_instructions from %s\n", FCML_HSDIS);
      return NULL;
    }
  }
  return decode(buffer, buffer + length, events, event_stream, print, print_stream, options);
}
