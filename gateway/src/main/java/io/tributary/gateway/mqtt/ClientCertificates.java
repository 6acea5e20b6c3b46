package io.tributary.gateway.mqtt;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

final class ClientCertificates {

    private ClientCertificates() {
    }

    /** The subject CN of the peer's verified leaf certificate; throws when there is none or it has no CN. */
    static String commonName(SSLSession session) {
        if (session == null) {
            throw new IllegalArgumentException("no TLS session");
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new IllegalArgumentException("no verified client certificate");
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new IllegalArgumentException("no X.509 client certificate");
        }
        try {
            return new LdapName(leaf.getSubjectX500Principal().getName()).getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN")).findFirst()
                    .map(rdn -> String.valueOf(rdn.getValue()))
                    .orElseThrow(() -> new IllegalArgumentException("client certificate has no CN"));
        } catch (InvalidNameException e) {
            throw new IllegalArgumentException("unreadable certificate subject: " + e.getMessage());
        }
    }
}
