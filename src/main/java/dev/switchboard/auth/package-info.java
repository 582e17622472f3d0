/**
 * The servlet filter that turns credentials into a {@link dev.switchboard.auth.Caller}: license keys and app
 * credentials ({@code appId:appKey}); pass-through comes next. Every credential failure gets the same 401 body.
 * Callers carry platform and model allow-lists ({@link dev.switchboard.route.ModelGlob}).
 */
package dev.switchboard.auth;
