package dev.switchboard.auth;

import dev.switchboard.config.AppConfig;
import dev.switchboard.config.LicenseConfig;
import dev.switchboard.route.ModelGlob;
import java.util.List;

/**
 * Per-request: who is calling, as established by the authentication filter, stored as a request attribute.
 *
 * @param name      for logs; never a credential ({@code app:<appId>} for apps, the license name for licenses)
 * @param mode      how they authenticated: {@code license} or {@code app}
 * @param platforms platform prefixes they may use; {@code "*"} means all
 * @param models    public model names or globs they may use; {@code null} or empty means any
 */
public record Caller(String name, String mode, List<String> platforms, List<String> models) {
    public static final String ATTRIBUTE = Caller.class.getName();

    public Caller {
        platforms = List.copyOf(platforms);
        models = models == null ? List.of() : List.copyOf(models);
    }

    public static Caller license(LicenseConfig license) {
        return new Caller(license.name(), "license", license.platforms(), license.models());
    }

    public static Caller app(AppConfig app) {
        return new Caller("app:" + app.appId(), "app", app.platforms(), app.models());
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
}
