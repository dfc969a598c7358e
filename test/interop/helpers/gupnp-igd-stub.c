/*
 * A stand-in for libgupnp-igd-1.0.so.4 (UPnP port mapping on a home router),
 * so that Debian bookworm's whip-client can start at all.
 *
 * whip-client links libsoup 2.4. webrtcbin links libnice, which links
 * libgupnp-igd -> libgupnp-1.6 -> libsoup 3. Loading libsoup 3 into a process
 * that holds libsoup 2 aborts ("libsoup2 symbols detected. Using libsoup2 and
 * libsoup3 in the same process is not supported"), and libsoup 2 aborts the
 * same way in the other order, so the packaged binary dies as soon as it
 * creates its webrtcbin. libnice calls only these four functions and treats a
 * NULL igd as "UPnP unavailable"; on loopback there is no router to map a
 * port on anyway. Nothing of whip-client, GStreamer or libnice is replaced.
 */
unsigned long gupnp_simple_igd_get_type(void) { return 0; }
void *gupnp_simple_igd_thread_new(void) { return 0; }
void gupnp_simple_igd_add_port(void) {}
void gupnp_simple_igd_remove_port_local(void) {}
