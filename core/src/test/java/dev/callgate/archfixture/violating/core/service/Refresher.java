package dev.callgate.archfixture.violating.core.service;

/** A use case; the domain must not know it. */
public class Refresher {}
