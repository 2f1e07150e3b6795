/* harness.c: counts the instructions of e-lib's e_dma_copy on e-sim (dma_count.py builds it
 * with e-lib 2016.11's own e_dma_copy.c, e_dma_start.c, e_dma_busy.c, e_reg_read.c and
 * e_reg_write.c).  CTIMER0 counts clock ticks, which e-sim gives once per instruction, so the
 * timer's difference around a call is the instructions the call executed.  Prints
 * "<what> <destination> <bytes> <instructions>" lines through e-sim's write trap. */
#include <stddef.h>

int e_dma_copy(void *dst, void *src, size_t n);
int e_dma_busy(int chan);

/* write(1, s, n) through the simulator's trap 0 */
static void put(const char *s, unsigned n)
{
    register unsigned r0 __asm__("r0") = 1;
    register const char *r1 __asm__("r1") = s;
    register unsigned r2 __asm__("r2") = n;
    __asm__ volatile("trap 0" : "+r"(r0) : "r"(r1), "r"(r2) : "memory");
}

/* one line: the words, then the two numbers */
static void row(const char *what, unsigned bytes, unsigned count)
{
    char buf[80];
    unsigned n = 0, values[2] = {bytes, count};
    while (*what)
        buf[n++] = *what++;
    for (int k = 0; k < 2; k++) {
        char digits[12];
        unsigned d = 0, v = values[k];
        do {
            digits[d++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        buf[n++] = ' ';
        while (d)
            buf[n++] = digits[--d];
    }
    buf[n++] = '\n';
    put(buf, n);
}

static inline unsigned ticks(void)
{
    unsigned t;
    __asm__ volatile("movfs %0, ctimer0" : "=r"(t));
    return t;
}

static char src[8192] __attribute__((aligned(8)));
static char dst[8192] __attribute__((aligned(8)));

/* CTIMER0 counts down: the instructions between two reads, less the read itself */
static unsigned baseline;

static unsigned copy(void *d, void *s, unsigned n)
{
    unsigned a = ticks();
    e_dma_copy(d, s, n);
    return a - ticks() - baseline;
}

int main(void)
{
    unsigned config, top = 0xFFFFFFFFu;
    __asm__ volatile("movfs %0, config" : "=r"(config));
    config = (config & ~0xF0u) | 0x10u; /* CTIMER0 mode: clock */
    __asm__ volatile("movts ctimer0, %0" ::"r"(top));
    __asm__ volatile("movts config, %0" ::"r"(config));
    unsigned a = ticks();
    baseline = a - ticks();
    row("timer-read", 0, baseline);
    a = ticks();
    (void)e_dma_busy(1);
    row("e_dma_busy idle", 0, a - ticks() - baseline);
    static const unsigned sizes[] = {8, 16, 64, 512, 2048, 8192};
    void *global_dst = (void *)(0x80800000u | (unsigned)dst); /* this core (0x808), globally */
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        row("e_dma_copy local", sizes[i], copy(dst, src, sizes[i]));
        row("e_dma_copy global", sizes[i], copy(global_dst, src, sizes[i]));
        row("e_dma_copy dram", sizes[i], copy((void *)0x8f000000u, src, sizes[i]));
    }
    row("e_dma_copy local-bytes", 7, copy(dst + 1, src, 7));
    return 0;
}
