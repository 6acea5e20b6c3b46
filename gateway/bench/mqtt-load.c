/*
 * mqtt-load: a small MQTT 3.1.1 QoS 1 load generator for the Tributary gateway benchmark.
 *
 * N connections (each its own device, user name = device id, password from a CSV of "id,secret" lines, or anonymous),
 * every PUBLISH written with its own write() on a TCP_NODELAY socket (one PUBLISH per TCP packet), at most W
 * unacknowledged publishes per connection, at a total target rate (0 = as fast as the server acknowledges).
 * Payloads are ~50-byte protobuf ReadingBatch messages naming the publishing device (what the gateway validates).
 * After a warm-up it measures for D seconds: PUBACKs received, PUBACK latency (p50, p99, the share that took 10 ms or
 * more) and, with -P PID, the CPU seconds (utime+stime from /proc/PID/stat) the server process used in that window.
 * Prints one JSON object.
 * With -T FILE it also writes the measured window's timeline, one line per 10 ms: CLOCK_MONOTONIC seconds (the clock
 * of a JVM's -Xlog decoration "timenanos", to line stalls up with GC pauses), PUBACKs received, of those the ones
 * that took 10 ms or more, and the slowest in ms.
 *
 * Build: gcc -O2 -o mqtt-load mqtt-load.c -lm
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WINDOW 256
#define HIST_BUCKETS 1000000 /* 10 us each: up to 10 s */
#define HIST_RES_NS 10000ULL

typedef struct {
    int fd;
    char id[256];
    char secret[160];
    int connected;
    int closed;
    uint16_t next_pid;
    int inflight;
    uint64_t seq;
    uint64_t sent_ns[MAX_WINDOW];
    unsigned char rbuf[8192];
    int rlen;
    unsigned char wbuf[4096]; /* the unwritten rest of a partial write */
    int wlen;
} conn_t;

static uint32_t *hist;
static uint64_t hist_count;

#define SLOW_NS 10000000ULL
#define TIMELINE_SLOT_NS 10000000ULL
typedef struct {
    uint32_t acks, slow_acks, max_us;
} slot_t;
static slot_t *timeline; /* only with -T */
static size_t timeline_slots;
static uint64_t timeline_start_ns;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(int pid) {
    if (pid <= 0) return 0;
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    p += 2; /* field 3 (state) starts here */
    unsigned long utime = 0, stime = 0;
    /* fields 3..13 skipped, 14 utime, 15 stime */
    int field = 3;
    char *tok = strtok(p, " ");
    while (tok) {
        if (field == 14) utime = strtoul(tok, NULL, 10);
        if (field == 15) { stime = strtoul(tok, NULL, 10); break; }
        tok = strtok(NULL, " ");
        field++;
    }
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static int put_varint(unsigned char *b, uint64_t v) {
    int n = 0;
    while (v >= 0x80) { b[n++] = (unsigned char)(v | 0x80); v >>= 7; }
    b[n++] = (unsigned char)v;
    return n;
}

static int put_remaining_length(unsigned char *b, int len) {
    int n = 0;
    do {
        unsigned char d = len % 128;
        len /= 128;
        if (len > 0) d |= 0x80;
        b[n++] = d;
    } while (len > 0);
    return n;
}

static int put_str(unsigned char *b, const char *s) {
    int len = (int)strlen(s);
    b[0] = (unsigned char)(len >> 8);
    b[1] = (unsigned char)len;
    memcpy(b + 2, s, len);
    return len + 2;
}

/* A protobuf ReadingBatch{device_id, batch_seq, created_at, readings:[{sensor "t", value, event_time}]}. */
static int batch(unsigned char *b, const char *device, uint64_t seq, int64_t t_ns) {
    int n = 0, len = (int)strlen(device);
    b[n++] = 0x0A; b[n++] = (unsigned char)len; memcpy(b + n, device, len); n += len;
    b[n++] = 0x10; n += put_varint(b + n, seq);
    b[n++] = 0x18; n += put_varint(b + n, (uint64_t)t_ns);
    unsigned char r[40];
    int m = 0;
    r[m++] = 0x0A; r[m++] = 1; r[m++] = 't';
    double value = 20.0 + (double)(seq % 100) / 10.0;
    r[m++] = 0x11; memcpy(r + m, &value, 8); m += 8;
    r[m++] = 0x20; m += put_varint(r + m, (uint64_t)t_ns);
    b[n++] = 0x22; b[n++] = (unsigned char)m; memcpy(b + n, r, m); n += m;
    return n;
}

static int send_bytes(conn_t *c, const unsigned char *b, int len) {
    if (c->wlen > 0) return 0; /* still flushing an earlier packet */
    ssize_t w = write(c->fd, b, len);
    if (w == len) return 1;
    if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        c->closed = 1;
        return -1;
    }
    memcpy(c->wbuf, b + w, len - w);
    c->wlen = len - (int)w;
    return 1;
}

static void flush(conn_t *c) {
    if (c->wlen == 0) return;
    ssize_t w = write(c->fd, c->wbuf, c->wlen);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) c->closed = 1;
        return;
    }
    memmove(c->wbuf, c->wbuf + w, c->wlen - w);
    c->wlen -= (int)w;
}

static int publish(conn_t *c, int64_t wall_ns, uint64_t t) {
    unsigned char payload[256], pkt[512], var[400];
    c->seq++;
    int plen = batch(payload, c->id, c->seq, wall_ns + (int64_t)c->seq);
    char topic[160];
    snprintf(topic, sizeof topic, "devices/%s/telemetry", c->id);
    uint16_t pid = c->next_pid;
    c->next_pid = (uint16_t)(pid == 65535 ? 1 : pid + 1);
    int vn = put_str(var, topic);
    var[vn++] = (unsigned char)(pid >> 8);
    var[vn++] = (unsigned char)pid;
    memcpy(var + vn, payload, plen);
    vn += plen;
    int n = 0;
    pkt[n++] = 0x32; /* PUBLISH, QoS 1 */
    n += put_remaining_length(pkt + n, vn);
    memcpy(pkt + n, var, vn);
    n += vn;
    int r = send_bytes(c, pkt, n);
    if (r == 1) {
        c->sent_ns[pid % MAX_WINDOW] = t;
        c->inflight++;
    } else {
        c->seq--;
        c->next_pid = pid;
    }
    return r;
}

static int send_connect(conn_t *c, int keepalive) {
    unsigned char var[512], pkt[600];
    int n = 0;
    n += put_str(var + n, "MQTT");
    var[n++] = 4; /* 3.1.1 */
    unsigned char flags = 0x02;
    if (c->secret[0]) flags |= 0x80 | 0x40;
    var[n++] = flags;
    var[n++] = (unsigned char)(keepalive >> 8);
    var[n++] = (unsigned char)keepalive;
    n += put_str(var + n, c->id);
    if (c->secret[0]) {
        n += put_str(var + n, c->id);
        n += put_str(var + n, c->secret);
    }
    int m = 0;
    pkt[m++] = 0x10;
    m += put_remaining_length(pkt + m, n);
    memcpy(pkt + m, var, n);
    m += n;
    return send_bytes(c, pkt, m);
}

typedef struct {
    uint64_t acked, measured_acks, refused;
    int measuring;
} stats_t;

static void on_readable(conn_t *c, stats_t *st) {
    for (;;) {
        ssize_t r = read(c->fd, c->rbuf + c->rlen, sizeof c->rbuf - c->rlen);
        if (r == 0) { c->closed = 1; return; }
        if (r < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) c->closed = 1;
            break;
        }
        c->rlen += (int)r;
        if (c->rlen < (int)sizeof c->rbuf) break;
    }
    int off = 0;
    uint64_t t = now_ns();
    while (c->rlen - off >= 2) {
        int mult = 1, len = 0, i = 1;
        unsigned char d;
        do {
            if (off + i >= c->rlen) goto incomplete;
            d = c->rbuf[off + i++];
            len += (d & 127) * mult;
            mult *= 128;
        } while (d & 128);
        if (off + i + len > c->rlen) break;
        unsigned char type = c->rbuf[off] & 0xF0;
        const unsigned char *body = c->rbuf + off + i;
        if (type == 0x20 && len >= 2) {
            if (body[1] == 0) c->connected = 1;
            else { c->closed = 1; st->refused++; }
        } else if (type == 0x40 && len >= 2) {
            uint16_t pid = (uint16_t)(body[0] << 8 | body[1]);
            if (c->inflight > 0) c->inflight--;
            st->acked++;
            if (st->measuring) {
                st->measured_acks++;
                uint64_t lat = t - c->sent_ns[pid % MAX_WINDOW];
                uint64_t b = lat / HIST_RES_NS;
                hist[b < HIST_BUCKETS ? b : HIST_BUCKETS - 1]++;
                hist_count++;
                uint64_t slot = (t - timeline_start_ns) / TIMELINE_SLOT_NS;
                if (timeline && slot < timeline_slots) {
                    slot_t *s = &timeline[slot];
                    s->acks++;
                    if (lat >= SLOW_NS) s->slow_acks++;
                    if (lat / 1000 > s->max_us) s->max_us = (uint32_t)(lat / 1000);
                }
            }
        }
        off += i + len;
    }
incomplete:
    memmove(c->rbuf, c->rbuf + off, c->rlen - off);
    c->rlen -= off;
}

static double percentile_ms(double p) {
    if (hist_count == 0) return -1;
    uint64_t want = (uint64_t)(p * (double)hist_count);
    if (want >= hist_count) want = hist_count - 1;
    uint64_t seen = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        seen += hist[i];
        if (seen > want) return (double)((uint64_t)i * HIST_RES_NS + HIST_RES_NS / 2) / 1e6;
    }
    return -1;
}

static double percent_slower_than(uint64_t ns) {
    if (hist_count == 0) return -1;
    uint64_t slow = 0;
    for (uint64_t i = ns / HIST_RES_NS; i < HIST_BUCKETS; i++) slow += hist[i];
    return 100.0 * (double)slow / (double)hist_count;
}

static int write_timeline(const char *path, uint64_t measured_ns) {
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return -1; }
    for (size_t i = 0; i < timeline_slots && i * TIMELINE_SLOT_NS < measured_ns; i++)
        fprintf(f, "%.2f %u %u %.1f\n", (double)(timeline_start_ns + i * TIMELINE_SLOT_NS) / 1e9, timeline[i].acks,
                timeline[i].slow_acks, timeline[i].max_us / 1000.0);
    return fclose(f);
}

static void usage(void) {
    fprintf(stderr, "usage: mqtt-load -p PORT [-h 127.0.0.1] [-c 1000] [-d 10] [-u 2 warm-up s] [-r 0 msgs/s, 0=max]"
                    " [-w 4 window] [-f ids-secrets.csv | -i id-prefix] [-P server-pid] [-T timeline-file]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *csv = NULL, *prefix = "load-", *timeline_file = NULL;
    int port = 0, nconn = 1000, duration = 10, warmup = 2, window = 4, pid = 0;
    double rate = 0;
    int opt;
    while ((opt = getopt(argc, argv, "h:p:c:d:u:r:w:f:i:P:T:")) != -1) {
        switch (opt) {
            case 'h': host = optarg; break;
            case 'p': port = atoi(optarg); break;
            case 'c': nconn = atoi(optarg); break;
            case 'd': duration = atoi(optarg); break;
            case 'u': warmup = atoi(optarg); break;
            case 'r': rate = atof(optarg); break;
            case 'w': window = atoi(optarg); break;
            case 'f': csv = optarg; break;
            case 'i': prefix = optarg; break;
            case 'P': pid = atoi(optarg); break;
            case 'T': timeline_file = optarg; break;
            default: usage();
        }
    }
    if (port <= 0 || nconn <= 0 || window <= 0 || window > MAX_WINDOW - 1) usage();
    struct rlimit rl = {nconn + 64, nconn + 64};
    setrlimit(RLIMIT_NOFILE, &rl);
    hist = calloc(HIST_BUCKETS, sizeof *hist);
    conn_t *conns = calloc(nconn, sizeof *conns);
    if (timeline_file) {
        timeline_slots = (size_t)duration * 1000000000ULL / TIMELINE_SLOT_NS + 100;
        timeline = calloc(timeline_slots, sizeof *timeline);
    }
    if (!hist || !conns || (timeline_file && !timeline)) { perror("calloc"); return 1; }
    FILE *f = csv ? fopen(csv, "r") : NULL;
    if (csv && !f) { perror(csv); return 1; }
    for (int i = 0; i < nconn; i++) {
        conns[i].next_pid = 1;
        if (f) {
            char line[250];
            if (!fgets(line, sizeof line, f)) { fprintf(stderr, "%s has fewer than %d lines\n", csv, nconn); return 1; }
            line[strcspn(line, "\r\n")] = 0;
            char *comma = strchr(line, ',');
            if (!comma) { fprintf(stderr, "bad line in %s: %s\n", csv, line); return 1; }
            *comma = 0;
            snprintf(conns[i].id, sizeof conns[i].id, "%s", line);
            snprintf(conns[i].secret, sizeof conns[i].secret, "%s", comma + 1);
        } else {
            snprintf(conns[i].id, sizeof conns[i].id, "%s%d", prefix, i);
        }
    }
    if (f) fclose(f);

    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &addr.sin_addr);
    int ep = epoll_create1(0);
    stats_t st = {0};
    uint64_t t0 = now_ns();
    for (int i = 0; i < nconn; i++) {
        conn_t *c = &conns[i];
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        send_connect(c, 120);
    }
    struct epoll_event events[1024];
    int connected = 0;
    while (connected + (int)st.refused < nconn && now_ns() - t0 < 60ULL * 1000000000ULL) {
        int n = epoll_wait(ep, events, 1024, 100);
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            int was = c->connected;
            on_readable(c, &st);
            if (!was && c->connected) connected++;
        }
    }
    double connect_s = (double)(now_ns() - t0) / 1e9;
    if (connected < nconn) {
        fprintf(stderr, "only %d of %d connections accepted (%llu refused)\n", connected, nconn,
                (unsigned long long)st.refused);
        return 1;
    }

    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    int64_t wall_ns = (int64_t)wall.tv_sec * 1000000000LL + wall.tv_nsec;
    uint64_t start = now_ns();
    uint64_t measure_from = start + (uint64_t)warmup * 1000000000ULL;
    uint64_t end = measure_from + (uint64_t)duration * 1000000000ULL;
    uint64_t sent = 0, measured_sent = 0, lost = 0;
    double cpu0 = 0;
    uint64_t measure_start_ns = 0;
    int rr = 0;
    for (;;) {
        uint64_t t = now_ns();
        if (!st.measuring && t >= measure_from) {
            st.measuring = 1;
            cpu0 = cpu_seconds(pid);
            measure_start_ns = t;
            timeline_start_ns = t;
        }
        if (t >= end) break;
        uint64_t allowed = rate > 0 ? (uint64_t)((double)(t - start) / 1e9 * rate) : UINT64_MAX;
        for (int k = 0; k < nconn && sent < allowed; k++) {
            conn_t *c = &conns[(rr + k) % nconn];
            if (c->closed) continue;
            if (c->wlen) flush(c);
            while (c->inflight < window && sent < allowed) {
                int r = publish(c, wall_ns, now_ns());
                if (r != 1) break;
                sent++;
                if (st.measuring) measured_sent++;
                if (rate > 0) break; /* spread a limited rate over the connections */
            }
        }
        rr = (rr + 1) % nconn;
        int n = epoll_wait(ep, events, 1024, rate > 0 ? 1 : 0);
        for (int i = 0; i < n; i++) on_readable(events[i].data.ptr, &st);
    }
    double cpu1 = cpu_seconds(pid);
    double measured_s = (double)(now_ns() - measure_start_ns) / 1e9;
    for (int i = 0; i < nconn; i++) {
        if (conns[i].closed) lost++;
        close(conns[i].fd);
    }
    double cpu = pid > 0 ? cpu1 - cpu0 : -1;
    printf("{\"connections\": %d, \"connect_seconds\": %.2f, \"target_rate\": %.0f, \"window\": %d,"
           " \"measured_seconds\": %.2f, \"sent\": %llu, \"acked\": %llu, \"acks_per_second\": %.0f,"
           " \"server_cpu_seconds\": %.2f, \"msgs_per_cpu_second\": %.0f, \"puback_p50_ms\": %.3f,"
           " \"puback_p99_ms\": %.3f, \"puback_over_10ms_percent\": %.3f, \"connections_closed\": %llu}\n",
           nconn, connect_s, rate, window, measured_s, (unsigned long long)measured_sent,
           (unsigned long long)st.measured_acks, (double)st.measured_acks / measured_s, cpu,
           cpu > 0 ? (double)st.measured_acks / cpu : -1, percentile_ms(0.50), percentile_ms(0.99),
           percent_slower_than(SLOW_NS),
           (unsigned long long)lost);
    if (timeline_file && write_timeline(timeline_file, (uint64_t)(measured_s * 1e9)) != 0) return 1;
    return lost > 0 ? 3 : 0;
}
