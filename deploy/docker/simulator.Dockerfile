# The device simulator, from the jar the build made (./tributary build). Build context: the repository root, e.g.
#   docker build -f deploy/docker/simulator.Dockerfile -t tributary-simulator .
# Options: see ./tributary simulator --help (the bundled scenarios run by name: --scenario demo); TRIBUTARY_MQTT_URI
# and TRIBUTARY_KAFKA_BOOTSTRAP set the gateway and, with --provision, the registry's Kafka.
FROM eclipse-temurin:17-jre
RUN groupadd --system tributary \
 && useradd --system --gid tributary --home-dir /nonexistent --shell /usr/sbin/nologin tributary
COPY device-simulator/target/tributary-device-simulator.jar /opt/tributary/tributary-device-simulator.jar
USER tributary
ENV JAVA_OPTS="-XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=75"
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/tributary/tributary-device-simulator.jar \"$@\"", "--"]
