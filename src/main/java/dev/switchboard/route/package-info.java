/**
 * Platforms by URL prefix and their model maps (exact names and globs); routers, which choose
 * among platforms by model name.
 */
package dev.switchboard.route;
