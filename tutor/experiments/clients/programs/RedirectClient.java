// The Java client of redirect-tutor: java.net.http.HttpClient with Redirect.NORMAL, one JVM
// for a batch of requests. It reads the requests on stdin, one a line, tab-separated fields in
// base64 (method, URL, body, "stream" or "bytes", header lines "Name: value"), and prints what
// the client said for each (its error, or the answer it handed back) as a JSON array. What
// arrived is read from the lab's journal, never from here.
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class RedirectClient {
    static String text(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    static String json(String value) {
        if (value == null) return "null";
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    /** The lab's CA, as a Java program is given one in code: a trust store of that certificate. */
    static SSLContext trusting(String caFile) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream pem = new FileInputStream(caFile)) {
            int n = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                store.setCertificateEntry("lab-ca-" + n++, cert);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    static String send(HttpClient client, String line, Duration timeout) {
        try {
            String[] field = line.split("\t", -1);
            String method = text(field[0]);
            byte[] body = Base64.getDecoder().decode(field[2]);
            HttpRequest.BodyPublisher publisher;
            if (body.length == 0) {
                publisher = HttpRequest.BodyPublishers.noBody();
            } else if (field[3].equals("stream")) {
                // One InputStream for every send: after a redirect there is nothing left to read.
                InputStream once = new ByteArrayInputStream(body);
                publisher = HttpRequest.BodyPublishers.ofInputStream(() -> once);
            } else {
                publisher = HttpRequest.BodyPublishers.ofByteArray(body);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(text(field[1])))
                .timeout(timeout).method(method, publisher);
            for (String header : text(field[4]).split("\n")) {
                int colon = header.indexOf(':');
                if (colon > 0) request.header(header.substring(0, colon), header.substring(colon + 2));
            }
            HttpRequest sent = request.build();
            HttpResponse<byte[]> response = client.send(sent, HttpResponse.BodyHandlers.ofByteArray());
            String location = response.headers().firstValue("Location").orElse(null);
            boolean redirected = response.previousResponse().isPresent();
            return "{\"error\":null,\"reported\":{\"status\":" + response.statusCode()
                + ",\"redirected\":" + redirected + ",\"location\":" + json(location) + "}}";
        } catch (Exception e) {
            return "{\"error\":" + json(why(e)) + ",\"reported\":null}";
        }
    }

    /** What went wrong, one line. An expired certificate is said only as "PKIX path validation
     *  failed: ... validity check failed"; the cause under it names the problem, so say it. */
    static String why(Exception e) {
        String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof java.security.cert.CertificateExpiredException) {
                return e.getClass().getSimpleName() + ": the certificate has expired (" + cause.getMessage() + "); " + e.getMessage();
            }
            if (cause instanceof java.security.cert.CertificateNotYetValidException) {
                return e.getClass().getSimpleName() + ": the certificate is not yet valid (" + cause.getMessage() + "); " + e.getMessage();
            }
        }
        return why;
    }

    public static void main(String[] args) throws Exception {
        Duration timeout = Duration.ofMillis((long) (Double.parseDouble(args[0]) * 1000));
        int atOnce = Integer.parseInt(args[1]);
        HttpClient.Builder builder = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(timeout);
        String ca = System.getenv("REDIRECT_TUTOR_CA");
        if (ca != null && !ca.isEmpty()) builder.sslContext(trusting(ca));
        HttpClient client = builder.build();
        List<String> lines = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) if (!line.isEmpty()) lines.add(line);
        ExecutorService lanes = Executors.newFixedThreadPool(atOnce);
        List<Future<String>> done = new ArrayList<>();
        for (String line : lines) done.add(lanes.submit(() -> send(client, line, timeout)));
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < done.size(); i++) out.append(i == 0 ? "" : ",").append(done.get(i).get());
        System.out.println(out.append("]"));
        lanes.shutdownNow();
    }
}
