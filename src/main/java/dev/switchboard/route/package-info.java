/**
 * Platforms by URL prefix, their model maps (exact names and globs) and managed token pools; routers, which choose
 * among platforms by model name.
 */
package dev.switchboard.route;
