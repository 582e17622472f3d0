/**
 * The gateway configuration: the records that are its documented model, and {@link dev.switchboard.config.ConfigLoader},
 * which reads the JSON file, substitutes {@code ${NAME}} environment references, binds the records with JSON-B and
 * validates them. Everything here runs once, at deployment; a {@link dev.switchboard.config.ConfigException} fails it.
 */
package dev.switchboard.config;
