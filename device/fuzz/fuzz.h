/* fuzz.h: the fuzz target of the core interpreter (fuzz_image.c) and its input format. */
#ifndef EPY_FUZZ_H
#define EPY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* A container input: "EPYF", u16 image length, the image, the argument block. */
#define FUZZ_MAGIC "EPYF"
#define FUZZ_CONTAINER_HEADER 6

typedef struct FuzzInput {
    const uint8_t *image;
    size_t image_size;
    const uint8_t *args;  /* NULL: synthesized by the target */
    size_t args_size;
    int container;
} FuzzInput;

/* Split an input into image and argument block; returns nonzero when it carries arguments. */
int fuzz_split(const uint8_t *data, size_t size, FuzzInput *in);

/* Counters of fuzz_one(): did the last input pass the verifier; accepted inputs whose launch
 * finished (result or kernel error) / was stopped by the budget. */
extern int fuzz_last_verified;
extern unsigned long long fuzz_finished, fuzz_abandoned;

/* Verify and (when accepted) run one input; aborts on a broken invariant. */
int fuzz_one(const uint8_t *data, size_t size);

#endif /* EPY_FUZZ_H */
