/**
 * The servlet filter that turns credentials into a {@link dev.switchboard.auth.Caller}: license keys and app
 * credentials ({@code appId:appKey}) and Chat2API pass-through (a license in {@code Tokens-Authorization}, the
 * caller's own vendor token in {@code Authorization}). Every credential failure gets the same 401 body.
 * Callers carry platform and model allow-lists ({@link dev.switchboard.route.ModelGlob}). Repeated failures from one
 * address are throttled ({@link dev.switchboard.auth.AuthFailureThrottle}) before credentials are even looked at.
 */
package dev.switchboard.auth;
