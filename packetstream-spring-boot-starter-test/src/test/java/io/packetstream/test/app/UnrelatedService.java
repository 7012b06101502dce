package io.packetstream.test.app;

import org.springframework.stereotype.Service;

/** A service no handler needs: a packetstream slice leaves it out. */
@Service
public class UnrelatedService {}
