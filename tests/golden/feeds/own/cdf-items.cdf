<?xml version="1.0"?>
<CHANNEL HREF="http://klynge.example.no/" BASE="http://klynge.example.no/"><TITLE>CDF-kanal</TITLE><ITEM HREF="http://klynge.example.no/nyheter/cdf-en"><TITLE>Første CDF-sak</TITLE><ABSTRACT>Et sammendrag.</ABSTRACT></ITEM><ITEM HREF="http://klynge.example.no/nyheter/cdf-to"><TITLE>Andre CDF-sak</TITLE><ABSTRACT>Enda et sammendrag.</ABSTRACT></ITEM></CHANNEL>
