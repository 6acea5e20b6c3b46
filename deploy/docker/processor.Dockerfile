# The cloud processor, from the jar the build made (./tributary build). Build context: the repository root, e.g.
#   docker build -f deploy/docker/processor.Dockerfile -t tributary-processor .
# Settings: TRIBUTARY_* variables or a mounted YAML file (--config); see cloud-processor/README.md.
FROM eclipse-temurin:17-jre
RUN groupadd --system tributary \
 && useradd --system --gid tributary --home-dir /nonexistent --shell /usr/sbin/nologin tributary \
 && mkdir -p /var/lib/tributary/processor-streams && chown -R tributary:tributary /var/lib/tributary
COPY cloud-processor/target/tributary-cloud-processor.jar /opt/tributary/tributary-cloud-processor.jar
USER tributary
# Kafka Streams state (rollup windows, alert states): restored from changelogs when lost, kept on a volume so a
# restart does not have to replay them.
ENV TRIBUTARY_STREAMS_STATE_DIR=/var/lib/tributary/processor-streams
VOLUME /var/lib/tributary/processor-streams
# 9464 /metrics and /health/*
EXPOSE 9464
ENV JAVA_OPTS="-XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=75"
# SIGTERM finishes the InfluxDB writes in flight and commits before the process exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/tributary/tributary-cloud-processor.jar \"$@\"", "--"]
