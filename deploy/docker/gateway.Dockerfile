# The MQTT gateway, from the jar the build made (./tributary build). Build context: the repository root, e.g.
#   docker build -f deploy/docker/gateway.Dockerfile -t tributary-gateway .
# Settings: TRIBUTARY_* variables or a mounted YAML file (TRIBUTARY_GATEWAY_CONFIG); see gateway/README.md.
FROM eclipse-temurin:17-jre
RUN groupadd --system tributary \
 && useradd --system --gid tributary --home-dir /nonexistent --shell /usr/sbin/nologin tributary
COPY gateway/target/tributary-gateway.jar /opt/tributary/tributary-gateway.jar
USER tributary
# 1883 MQTT, 8883 MQTT over TLS (when a certificate is configured), 9883 /metrics and /health/*
EXPOSE 1883 8883 9883
ENV JAVA_OPTS="-XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=75"
# SIGTERM drains in-flight messages before the process exits (--shutdown-timeout).
STOPSIGNAL SIGTERM
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/tributary/tributary-gateway.jar \"$@\"", "--"]
