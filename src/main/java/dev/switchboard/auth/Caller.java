package dev.switchboard.auth;

import dev.switchboard.config.AppConfig;
import dev.switchboard.config.LicenseConfig;
import dev.switchboard.route.ModelGlob;
import java.util.List;

/**
 * Per-request: who is calling, as established by the authentication filter, stored as a request attribute.
 *
 * @param name      for logs; never a credential ({@code app:<appId>} for apps, the license name for licenses)
 * @param mode        how they authenticated: {@code license}, {@code app} or {@code pass-through}
 * @param platforms   platform prefixes they may use; {@code "*"} means all
 * @param models      public model names or globs they may use; {@code null} or empty means any
 * @param vendorToken pass-through mode only: the caller's own vendor token, sent upstream instead of a managed one;
 *                    {@code null} otherwise. A secret: never logged, and left out of {@link #toString()}
 */
public record Caller(String name, String mode, List<String> platforms, List<String> models, String vendorToken) {
    public static final String ATTRIBUTE = Caller.class.getName();
    public static final String PASS_THROUGH = "pass-through";

    public Caller {
        platforms = List.copyOf(platforms);
        models = models == null ? List.of() : List.copyOf(models);
    }

    /** A managed-mode caller: the gateway's own vendor tokens are used. */
    public Caller(String name, String mode, List<String> platforms, List<String> models) {
        this(name, mode, platforms, models, null);
    }

    public static Caller license(LicenseConfig license) {
        return new Caller(license.name(), "license", license.platforms(), license.models());
    }

    public static Caller app(AppConfig app) {
        return new Caller("app:" + app.appId(), "app", app.platforms(), app.models());
    }

    /** Chat2API: the license from {@code Tokens-Authorization} decides what may be used, the caller's token pays. */
    public static Caller passThrough(LicenseConfig license, String vendorToken) {
        return new Caller(license.name(), PASS_THROUGH, license.platforms(), license.models(),
                java.util.Objects.requireNonNull(vendorToken));
    }

    /** Pass-through (Chat2API): one upstream attempt with {@link #vendorToken()}, upstream errors relayed as sent. */
    public boolean passThrough() {
        return vendorToken != null;
    }

    public boolean mayUsePlatform(String platform) {
        return platforms.contains("*") || platforms.contains(platform);
    }

    /** Whether this caller may ask for {@code publicModel}, the name as the client sent it. */
    public boolean mayUseModel(String publicModel) {
        if (models.isEmpty()) {
            return true;
        }
        if (publicModel == null) {
            return false;
        }
        for (String allowed : models) {
            if (ModelGlob.matches(allowed, publicModel)) {
                return true;
            }
        }
        return false;
    }

    /** Never the vendor token: a Caller may end up in a log message or an exception. */
    @Override
    public String toString() {
        return "Caller[name=" + name + ", mode=" + mode + ", platforms=" + platforms + ", models=" + models
                + (vendorToken == null ? "" : ", vendorToken=<redacted>") + "]";
    }
}
