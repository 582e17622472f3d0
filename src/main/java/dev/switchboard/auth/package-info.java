/**
 * Servlet filters that turn credentials into a {@link dev.switchboard.auth.Caller}: license keys now; pass-through
 * and app credentials come next. Every credential failure gets the same 401 body.
 */
package dev.switchboard.auth;
