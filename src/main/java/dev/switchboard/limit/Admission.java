package dev.switchboard.limit;

import jakarta.servlet.ServletRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-request: the slots a request holds (the global in-flight slot, its caller's slot) and their release, exactly
 * once. {@link OverloadFilter} creates it and releases it when the filter chain returns, unless the request went
 * asynchronous and was {@linkplain #handOff handed off} to the object that completes the response.
 *
 * <p>Thread-safe: slots are added on the request thread, released on whichever thread finishes the response.
 */
public final class Admission {
    static final String ATTRIBUTE = Admission.class.getName();
    private static final Runnable NOTHING = () -> {};

    private final List<Runnable> releases = new ArrayList<>(2);
    private boolean released;
    private boolean handedOff;

    Admission(Runnable first) {
        releases.add(first);
    }

    /** Adds a slot to give back with the others; given back at once if the request has already finished. */
    void add(Runnable release) {
        synchronized (this) {
            if (!released) {
                releases.add(release);
                return;
            }
        }
        release.run();
    }

    /** Gives every slot back; the second and later calls do nothing. */
    public void release() {
        List<Runnable> toRun;
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            toRun = List.copyOf(releases);
            releases.clear();
        }
        RuntimeException failure = null;
        for (Runnable release : toRun) {
            try {
                release.run();
            } catch (RuntimeException e) { // one failing release must not keep the others
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    synchronized boolean isHandedOff() {
        return handedOff;
    }

    /**
     * For an asynchronous response: the filter no longer releases when the chain returns; the returned action must be
     * run when the response has completed (and only the object that completes it knows when, on every container).
     */
    public static Runnable handOff(ServletRequest clientRequest) {
        if (!(clientRequest.getAttribute(ATTRIBUTE) instanceof Admission admission)) {
            return NOTHING; // not admitted through the filter (it is not mapped): nothing to give back
        }
        return admission.handOff();
    }

    synchronized Runnable handOff() {
        handedOff = true;
        return this::release;
    }
}
